/** A JWKS endpoint on 127.0.0.1 with one RS256 and one ES256 signing key, plus helpers to mint tokens. */
import { createServer, type Server } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'bulkhead-test';

export interface SignOptions {
  readonly alg?: 'RS256' | 'ES256';
  /** Sign with a key the JWKS does not serve (same kid): a forgery. */
  readonly foreign?: boolean;
  /** jose expiration (e.g. '5m', or seconds since epoch); null for no `exp` claim. */
  readonly expiresAt?: string | number | null;
}

export interface JwksFixture {
  readonly url: string;
  /** Signs `claims` with the served key for `alg` (or a foreign key, for forgeries). */
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
  /** The served RSA public key as SPKI PEM (what an HS256 key-confusion attack would use as the secret). */
  readonly rsaPublicPem: string;
  close(): Promise<void>;
}

export async function startJwksServer(): Promise<JwksFixture> {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const foreignRsa = await generateKeyPair('RS256');
  const foreignEc = await generateKeyPair('ES256');
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('JWKS server has no TCP address');
  const port = address.port;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    rsaPublicPem: await exportSPKI(rsa.publicKey),
    async sign(claims, options = {}) {
      const alg = options.alg ?? 'RS256';
      const key = alg === 'RS256' ? (options.foreign ? foreignRsa : rsa) : options.foreign ? foreignEc : ec;
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg, kid: alg === 'RS256' ? 'rsa-1' : 'ec-1' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt();
      const expiresAt = options.expiresAt === undefined ? '5m' : options.expiresAt;
      if (expiresAt !== null) jwt.setExpirationTime(expiresAt);
      return jwt.sign(key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
