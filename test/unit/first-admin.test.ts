/** Onboarding with a first admin: the Cognito calls (a real client, stopped at the SDK boundary), refusals and rollback. */
import {
  CognitoIdentityProviderClient,
  InternalErrorException,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it, vi } from 'vitest';
import { createHttpHandler } from '../../lambdas/http/http-handler.js';
import { CognitoTenantAdmins } from '../../lambdas/identity/cognito-tenant-admins.js';
import type { Logger } from '../../lambdas/observability/logger.js';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { controlRouter } from '../../lambdas/routes/control-routes.js';
import { proxyEvent } from './support/events.js';
import { fakeRuntime } from './support/fake-runtime.js';
import { captureCommands, metadata, offlineClientConfig, type SentCommand } from './support/fake-sdk.js';

const ACME: TenantRecord = {
  tenantId: 'acme',
  name: 'Acme',
  tier: 'basic',
  status: 'active',
  createdAt: '2024-01-01T00:00:00.000Z',
};
const OPERATOR = { tenantId: 'platform', userId: 'ops-1', roles: 'operator' };
const POOL = 'us-east-1_pool';
const WITH_ADMIN = JSON.stringify({
  tenantId: 'globex',
  name: 'Globex',
  tier: 'basic',
  admin: { email: 'gail@globex.example' },
});

/** A Cognito client whose calls stop at the SDK boundary: `existing` maps e-mail → tenant of users that exist. */
function cognito(existing: Record<string, string> = {}, failOn?: string) {
  const client = new CognitoIdentityProviderClient(offlineClientConfig);
  const users = new Map(Object.entries(existing));
  const sent = captureCommands<ServiceInputTypes, ServiceOutputTypes>(client, (command) => {
    if (command.name === failOn)
      throw new InternalErrorException({ message: 'cognito is down', $metadata: {} });
    const email = 'Username' in command.input ? String(command.input.Username) : '';
    if (command.name === 'AdminGetUserCommand') {
      const tenant = users.get(email);
      if (tenant === undefined) throw new UserNotFoundException({ message: 'no user', $metadata: {} });
      return { ...metadata, Username: email, UserAttributes: [{ Name: 'custom:tenantId', Value: tenant }] };
    }
    if (command.name === 'AdminCreateUserCommand') {
      if (users.has(email)) throw new UsernameExistsException({ message: 'exists', $metadata: {} });
      const attributes = 'UserAttributes' in command.input ? (command.input.UserAttributes ?? []) : [];
      users.set(email, attributes.find((attribute) => attribute.Name === 'custom:tenantId')?.Value ?? '');
    }
    return { ...metadata };
  });
  return { client, sent, admins: new CognitoTenantAdmins(client, POOL) };
}

function controlHandler(withCognito: ReturnType<typeof cognito> | undefined) {
  const logger: Logger = { info: vi.fn(), error: vi.fn() };
  const fake = fakeRuntime({ tenants: [ACME] });
  const handler = createHttpHandler({
    router: controlRouter(
      fake.runtime,
      withCognito === undefined ? {} : { tenantAdmins: withCognito.admins },
    ),
    resolveContext: (event) => fake.runtime.resolveContext(event),
    logger,
  });
  return { ...fake, handler };
}

const onboard = (authorizer: Record<string, string> = OPERATOR, body = WITH_ADMIN) =>
  proxyEvent({ method: 'POST', path: '/v1/admin/tenants', body, authorizer });

const writes = (control: readonly SentCommand<unknown>[]) =>
  control.map((command) => command.name).filter((name) => name !== 'GetItemCommand');

describe('onboarding with a first admin', () => {
  it('creates the tenant, then the admin in the pool with the verified e-mail and the tenant id, in the admin group', async () => {
    const pool = cognito();
    const { handler } = controlHandler(pool);

    const result = await handler(onboard());

    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).not.toHaveProperty('admin');
    expect(pool.sent.map((command) => command.name)).toEqual([
      'AdminGetUserCommand',
      'AdminCreateUserCommand',
      'AdminAddUserToGroupCommand',
    ]);
    expect(pool.sent[1]?.input).toEqual({
      UserPoolId: POOL,
      Username: 'gail@globex.example',
      UserAttributes: [
        { Name: 'email', Value: 'gail@globex.example' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tenantId', Value: 'globex' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(pool.sent[2]?.input).toEqual({
      UserPoolId: POOL,
      Username: 'gail@globex.example',
      GroupName: 'admin',
    });
  });

  it('is idempotent: a retry for the same tenant finds the user and only adds them to the group again', async () => {
    const pool = cognito();

    await pool.admins.createAdmin('globex', 'gail@globex.example');
    await pool.admins.createAdmin('globex', 'gail@globex.example');

    expect(pool.sent.map((command) => command.name)).toEqual([
      'AdminCreateUserCommand',
      'AdminAddUserToGroupCommand',
      'AdminCreateUserCommand',
      'AdminGetUserCommand',
      'AdminAddUserToGroupCommand',
    ]);
  });

  it("answers 409 for another tenant's address, before anything is written", async () => {
    const pool = cognito({ 'gail@globex.example': 'acme' });
    const { handler, control } = controlHandler(pool);

    const result = await handler(onboard());

    expect(result.statusCode).toBe(409);
    expect(JSON.parse(result.body).error.code).toBe('user_exists');
    expect(writes(control)).toEqual([]);
    expect(pool.sent.map((command) => command.name)).toEqual(['AdminGetUserCommand']);
  });

  it("refuses to adopt another tenant's user even when it appears between the check and the creation", async () => {
    const pool = cognito({ 'gail@globex.example': 'acme' });

    await expect(pool.admins.createAdmin('globex', 'gail@globex.example')).rejects.toMatchObject({
      status: 409,
      code: 'user_exists',
    });
    expect(pool.sent.map((command) => command.name)).not.toContain('AdminAddUserToGroupCommand');
  });

  it('refuses with 422 and the claims to set when users live in an external IdP, writing nothing', async () => {
    const { handler, control } = controlHandler(undefined);

    const result = await handler(onboard());

    expect(result.statusCode).toBe(422);
    const { error } = JSON.parse(result.body);
    expect(error.code).toBe('first_admin_not_supported');
    expect(error.message).toMatch(
      /sub = their user id, custom:tenantId = "globex" and cognito:groups containing "admin"/,
    );
    expect(writes(control)).toEqual([]);
  });

  it('still onboards without an admin when users live in an external IdP', async () => {
    const { handler } = controlHandler(undefined);

    const result = await handler(
      onboard(OPERATOR, JSON.stringify({ tenantId: 'globex', name: 'Globex', tier: 'basic' })),
    );

    expect(result.statusCode).toBe(201);
  });

  it('removes the index and the record again when the admin cannot be created', async () => {
    const pool = cognito({}, 'AdminAddUserToGroupCommand');
    const { handler, control, vectors } = controlHandler(pool);

    const result = await handler(onboard());

    expect(result.statusCode).toBeGreaterThanOrEqual(500);
    expect(vectors.map((command) => command.name)).toEqual(['CreateIndexCommand', 'DeleteIndexCommand']);
    expect(writes(control)).toEqual(expect.arrayContaining(['PutItemCommand', 'DeleteItemCommand']));
  });

  it.each([
    ['a tenant admin', { tenantId: 'acme', userId: 'ada', roles: 'admin' }],
    ['an analyst', { tenantId: 'acme', userId: 'ann', roles: 'analyst' }],
    [
      'the operator role outside the platform tenant',
      { tenantId: 'acme', userId: 'mallory', roles: 'operator,admin' },
    ],
    ['a platform admin who is not an operator', { tenantId: 'platform', userId: 'adm', roles: 'admin' }],
  ])('refuses %s with 403, creating no tenant and no user', async (_label, authorizer) => {
    const pool = cognito();
    const { handler, control } = controlHandler(pool);

    const result = await handler(onboard(authorizer));

    expect(result.statusCode).toBe(403);
    expect(writes(control)).toEqual([]);
    expect(pool.sent).toEqual([]);
  });

  it('answers 400 for a malformed admin, writing nothing', async () => {
    const pool = cognito();
    const { handler, control } = controlHandler(pool);

    for (const admin of [
      { email: 'not-an-address' },
      { email: 'a@b.example', tenantId: 'acme' },
      'a@b.example',
    ]) {
      const result = await handler(
        onboard(OPERATOR, JSON.stringify({ tenantId: 'globex', name: 'Globex', tier: 'basic', admin })),
      );
      expect(result.statusCode, JSON.stringify(admin)).toBe(400);
    }
    expect(writes(control)).toEqual([]);
    expect(pool.sent).toEqual([]);
  });
});
