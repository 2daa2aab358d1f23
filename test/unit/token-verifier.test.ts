import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../../lambdas/auth/errors.js';
import { createTokenVerifier, remoteKeys, type TokenVerifier } from '../../lambdas/auth/token-verifier.js';
import { AUDIENCE, ISSUER, type JwksFixture, startJwksServer } from './support/jwks-server.js';

const CLAIMS = { sub: 'alice', 'custom:tenantId': 'acme', 'cognito:groups': ['analyst', 'reader'] };

let jwks: JwksFixture;
let verify: TokenVerifier;

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

beforeAll(async () => {
  jwks = await startJwksServer();
  verify = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: remoteKeys(jwks.url) });
});

afterAll(async () => {
  await jwks.close();
});

describe('token verification', () => {
  it('accepts a valid RS256 token and returns its identity and expiry', async () => {
    const token = await jwks.sign(CLAIMS, { expiresAt: 4_102_444_800 });

    await expect(verify(token)).resolves.toEqual({
      tenantId: 'acme',
      userId: 'alice',
      roles: ['analyst', 'reader'],
      expiresAt: 4_102_444_800,
    });
  });

  it('accepts a valid ES256 token', async () => {
    const token = await jwks.sign(CLAIMS, { alg: 'ES256' });

    await expect(verify(token)).resolves.toMatchObject({ tenantId: 'acme', userId: 'alice' });
  });

  it('rejects a token signed by another key under the same kid', async () => {
    const forged = await jwks.sign(CLAIMS, { foreign: true });
    const forgedEc = await jwks.sign(CLAIMS, { alg: 'ES256', foreign: true });

    await expect(verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(forgedEc)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects an expired token and one without exp', async () => {
    const expired = await jwks.sign(CLAIMS, { expiresAt: Math.floor(Date.now() / 1000) - 120 });
    const endless = await jwks.sign(CLAIMS, { expiresAt: null });

    await expect(verify(expired)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(endless)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects a token for another issuer or another audience', async () => {
    const token = await jwks.sign(CLAIMS);
    const otherIssuer = createTokenVerifier({
      issuer: 'https://other.test',
      audience: AUDIENCE,
      keys: remoteKeys(jwks.url),
    });
    const otherAudience = createTokenVerifier({
      issuer: ISSUER,
      audience: 'other-app',
      keys: remoteKeys(jwks.url),
    });

    await expect(otherIssuer(token)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(otherAudience(token)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(token)).resolves.toBeDefined();
  });

  it('rejects an unsigned alg:none token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...CLAIMS, iss: ISSUER, aud: AUDIENCE, exp: now + 300 })}.`;

    await expect(verify(unsigned)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects an HS256 token keyed with the published RSA public key', async () => {
    const confused = await new SignJWT(CLAIMS)
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(jwks.rsaPublicPem));

    await expect(verify(confused)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects claims outside the key layout and ignores groups that are not roles', async () => {
    const badTenant = await jwks.sign({ ...CLAIMS, 'custom:tenantId': 'acme/../other' });
    const badUser = await jwks.sign({ ...CLAIMS, sub: 'alice#u#bob' });
    const noTenant = await jwks.sign({ sub: 'alice' });
    const oddGroups = await jwks.sign({ ...CLAIMS, 'cognito:groups': ['superuser', 'admin', 'admin'] });

    await expect(verify(badTenant)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(badUser)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(noTenant)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(oddGroups)).resolves.toMatchObject({ roles: ['admin'] });
  });
});

describe("token verification with an external IdP's claim names", () => {
  const CLAIM_NAMES = { user: 'uid', tenant: 'org_id', groups: 'roles' };
  const MAPPED = { uid: 'alice', org_id: 'acme', roles: ['analyst', 'reader'] };
  let verifyMapped: TokenVerifier;
  beforeAll(() => {
    verifyMapped = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: remoteKeys(jwks.url),
      claims: CLAIM_NAMES,
    });
  });

  it('reads the user, tenant and groups from the configured claims', async () => {
    const token = await jwks.sign(MAPPED);

    await expect(verifyMapped(token)).resolves.toMatchObject({
      tenantId: 'acme',
      userId: 'alice',
      roles: ['analyst', 'reader'],
    });
  });

  it('refuses a token that carries only the Cognito-named claims, and the default verifier refuses the mapped one', async () => {
    const cognitoNamed = await jwks.sign(CLAIMS);
    const mapped = await jwks.sign(MAPPED);

    await expect(verifyMapped(cognitoNamed)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(mapped)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('accepts groups as one string separated by commas, each name trimmed', async () => {
    const commas = await jwks.sign({ ...MAPPED, roles: 'admin,  reader,unknown' });
    const padded = await jwks.sign({ ...MAPPED, roles: ' analyst , ' });

    await expect(verifyMapped(commas)).resolves.toMatchObject({ roles: ['admin', 'reader'] });
    await expect(verifyMapped(padded)).resolves.toMatchObject({ roles: ['analyst'] });
  });

  it('never splits a group name on spaces: a name containing a role word grants nothing', async () => {
    const former = await jwks.sign({ ...MAPPED, roles: 'Former operator team' });
    const spaced = await jwks.sign({ ...MAPPED, roles: 'analyst reader' });
    const mixed = await jwks.sign({ ...MAPPED, roles: 'Former operator team, reader' });
    const listed = await jwks.sign({ ...MAPPED, roles: ['Former operator team', 'admin team'] });

    await expect(verifyMapped(former)).resolves.toMatchObject({ roles: [] });
    await expect(verifyMapped(spaced)).resolves.toMatchObject({ roles: [] });
    await expect(verifyMapped(mixed)).resolves.toMatchObject({ roles: ['reader'] });
    await expect(verifyMapped(listed)).resolves.toMatchObject({ roles: [] });
  });

  it('treats a token without the groups claim as having no roles', async () => {
    const token = await jwks.sign({ uid: 'alice', org_id: 'acme' });

    await expect(verifyMapped(token)).resolves.toMatchObject({ roles: [] });
  });

  it('refuses a missing user or tenant claim', async () => {
    const noUser = await jwks.sign({ org_id: 'acme', roles: ['reader'] });
    const noTenant = await jwks.sign({ uid: 'alice', roles: ['reader'] });

    await expect(verifyMapped(noUser)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifyMapped(noTenant)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses claims of the wrong type', async () => {
    const tokens = await Promise.all([
      jwks.sign({ ...MAPPED, org_id: 42 }),
      jwks.sign({ ...MAPPED, org_id: ['acme'] }),
      jwks.sign({ ...MAPPED, uid: { id: 'alice' } }),
      jwks.sign({ ...MAPPED, roles: { admin: true } }),
      jwks.sign({ ...MAPPED, roles: [1, 2] }),
    ]);

    for (const token of tokens) await expect(verifyMapped(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a tenant id with characters that would break the key layout or the IAM policy', async () => {
    for (const tenant of ['acme#u#bob', 'acme/../other', 'acme*', 'ac?me', 'ACME', 'acme\n', '', 'a']) {
      const token = await jwks.sign({ ...MAPPED, org_id: tenant });
      await expect(verifyMapped(token), tenant).rejects.toBeInstanceOf(InvalidTokenError);
    }
  });
});
