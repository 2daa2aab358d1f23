/** Onboarding with a first admin: the Cognito calls (a real client, stopped at the SDK boundary), refusals and rollback. */
import {
  CodeDeliveryFailureException,
  CognitoIdentityProviderClient,
  InternalErrorException,
  InvalidParameterException,
  LimitExceededException,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  UserNotFoundException,
  UsernameExistsException,
  type UserStatusType,
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

/** A user in the fake pool: their tenant and status. */
interface PoolUser {
  readonly tenantId: string;
  readonly status: string;
}

/**
 * A Cognito client whose calls stop at the SDK boundary: `existing` maps e-mail → tenant (or the
 * whole user) of users that exist; `failOn` names a command that fails with Cognito's internal
 * error, or `fail` answers a command with the error to throw (undefined: answer normally).
 */
function cognito(
  existing: Record<string, string | PoolUser> = {},
  failOn?: string,
  fail: (command: SentCommand<ServiceInputTypes>) => Error | undefined = () => undefined,
) {
  const client = new CognitoIdentityProviderClient(offlineClientConfig);
  const users = new Map(
    Object.entries(existing).map(([email, user]) => [
      email,
      typeof user === 'string' ? { tenantId: user, status: 'CONFIRMED' } : user,
    ]),
  );
  const sent = captureCommands<ServiceInputTypes, ServiceOutputTypes>(client, (command) => {
    if (command.name === failOn)
      throw new InternalErrorException({ message: 'cognito is down', $metadata: {} });
    const failure = fail(command);
    if (failure !== undefined) throw failure;
    const email = 'Username' in command.input ? String(command.input.Username) : '';
    if (command.name === 'AdminGetUserCommand') {
      const user = users.get(email);
      if (user === undefined) throw new UserNotFoundException({ message: 'no user', $metadata: {} });
      return {
        ...metadata,
        Username: email,
        UserStatus: user.status as UserStatusType,
        UserAttributes: [{ Name: 'custom:tenantId', Value: user.tenantId }],
      };
    }
    if (command.name === 'AdminCreateUserCommand' && 'MessageAction' in command.input) {
      if (command.input.MessageAction === 'RESEND') {
        if (!users.has(email)) throw new UserNotFoundException({ message: 'no user', $metadata: {} });
        return { ...metadata };
      }
      if (users.has(email)) throw new UsernameExistsException({ message: 'exists', $metadata: {} });
      const attributes = 'UserAttributes' in command.input ? (command.input.UserAttributes ?? []) : [];
      const tenantId = attributes.find((attribute) => attribute.Name === 'custom:tenantId')?.Value ?? '';
      users.set(email, { tenantId, status: 'FORCE_CHANGE_PASSWORD' });
    }
    if (command.name === 'AdminDeleteUserCommand') users.delete(email);
    return { ...metadata };
  });
  return { client, sent, users, admins: new CognitoTenantAdmins(client, POOL, silentLogger()) };
}

function silentLogger(): Logger {
  return { info: vi.fn(), error: vi.fn() };
}

const names = (sent: readonly SentCommand<ServiceInputTypes>[]) =>
  sent.map((command) =>
    'MessageAction' in command.input && command.input.MessageAction !== undefined
      ? `${command.name}:${command.input.MessageAction}`
      : command.name,
  );

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
  it('creates the tenant, then the admin in the pool without an invitation, puts them in the admin group, and invites them last', async () => {
    const pool = cognito();
    const { handler } = controlHandler(pool);

    const result = await handler(onboard());

    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).not.toHaveProperty('admin');
    expect(names(pool.sent)).toEqual([
      'AdminGetUserCommand',
      'AdminCreateUserCommand:SUPPRESS',
      'AdminAddUserToGroupCommand',
      'AdminCreateUserCommand:RESEND',
    ]);
    expect(pool.sent[1]?.input).toEqual({
      UserPoolId: POOL,
      Username: 'gail@globex.example',
      UserAttributes: [
        { Name: 'email', Value: 'gail@globex.example' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tenantId', Value: 'globex' },
      ],
      MessageAction: 'SUPPRESS',
    });
    expect(pool.sent[2]?.input).toEqual({
      UserPoolId: POOL,
      Username: 'gail@globex.example',
      GroupName: 'admin',
    });
    expect(pool.sent[3]?.input).toEqual({
      UserPoolId: POOL,
      Username: 'gail@globex.example',
      MessageAction: 'RESEND',
      DesiredDeliveryMediums: ['EMAIL'],
    });
  });

  it('is idempotent: a retry adopts its own user, adds them to the group again and re-invites them while they have no password', async () => {
    const pool = cognito();

    await pool.admins.createAdmin('globex', 'gail@globex.example');
    await pool.admins.createAdmin('globex', 'gail@globex.example');

    expect(names(pool.sent)).toEqual([
      'AdminCreateUserCommand:SUPPRESS',
      'AdminAddUserToGroupCommand',
      'AdminCreateUserCommand:RESEND',
      'AdminCreateUserCommand:SUPPRESS',
      'AdminGetUserCommand',
      'AdminAddUserToGroupCommand',
      'AdminCreateUserCommand:RESEND',
    ]);
    expect(pool.users.get('gail@globex.example')).toEqual({
      tenantId: 'globex',
      status: 'FORCE_CHANGE_PASSWORD',
    });
  });

  it('sends no second invitation to an adopted user who has set a password already', async () => {
    const pool = cognito({ 'gail@globex.example': { tenantId: 'globex', status: 'CONFIRMED' } });

    await pool.admins.createAdmin('globex', 'gail@globex.example');

    expect(names(pool.sent)).toEqual([
      'AdminCreateUserCommand:SUPPRESS',
      'AdminGetUserCommand',
      'AdminAddUserToGroupCommand',
    ]);
  });

  it.each([
    [
      'the group',
      'AdminAddUserToGroupCommand',
      ['AdminCreateUserCommand:SUPPRESS', 'AdminAddUserToGroupCommand'],
    ],
    [
      'the invitation',
      'AdminCreateUserCommand:RESEND',
      ['AdminCreateUserCommand:SUPPRESS', 'AdminAddUserToGroupCommand', 'AdminCreateUserCommand:RESEND'],
    ],
  ])(
    'deletes the user it created when %s fails, and rethrows that failure',
    async (_label, failing, before) => {
      const failure = new InternalErrorException({ message: 'cognito is down', $metadata: {} });
      const pool = cognito({}, undefined, (command) =>
        names([command])[0] === failing ? failure : undefined,
      );

      await expect(pool.admins.createAdmin('globex', 'gail@globex.example')).rejects.toBe(failure);

      expect(names(pool.sent)).toEqual([...before, 'AdminDeleteUserCommand']);
      expect(pool.sent.at(-1)?.input).toEqual({ UserPoolId: POOL, Username: 'gail@globex.example' });
      expect(pool.users.has('gail@globex.example')).toBe(false);
    },
  );

  it('rethrows the original failure, logged without the address, when the deletion fails too', async () => {
    const failure = new InternalErrorException({ message: 'group failed', $metadata: {} });
    const client = cognito({}, undefined, (command) =>
      command.name === 'AdminAddUserToGroupCommand'
        ? failure
        : command.name === 'AdminDeleteUserCommand'
          ? new InternalErrorException({ message: 'delete failed', $metadata: {} })
          : undefined,
    );
    const logger = silentLogger();
    const admins = new CognitoTenantAdmins(client.client, POOL, logger);

    await expect(admins.createAdmin('globex', 'gail@globex.example')).rejects.toBe(failure);

    expect(logger.error).toHaveBeenCalledOnce();
    expect(JSON.stringify(vi.mocked(logger.error).mock.calls)).not.toContain('gail');
  });

  it('never deletes a user it adopted', async () => {
    const pool = cognito(
      { 'gail@globex.example': { tenantId: 'globex', status: 'FORCE_CHANGE_PASSWORD' } },
      'AdminAddUserToGroupCommand',
    );

    await expect(pool.admins.createAdmin('globex', 'gail@globex.example')).rejects.toThrow('cognito is down');

    expect(names(pool.sent)).not.toContain('AdminDeleteUserCommand');
    expect(pool.users.has('gail@globex.example')).toBe(true);
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

  it('removes the user, the index and the record again when the admin cannot be created, answering a 500', async () => {
    const pool = cognito({}, 'AdminAddUserToGroupCommand');
    const { handler, control, vectors } = controlHandler(pool);

    const result = await handler(onboard());

    // Cognito's InternalErrorException is a server fault: a dependency fault, 503 with Retry-After.
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).error.code).toBe('dependency_unavailable');
    expect(result.headers?.['retry-after']).toBe('2');
    expect(names(pool.sent)).toEqual([
      'AdminGetUserCommand',
      'AdminCreateUserCommand:SUPPRESS',
      'AdminAddUserToGroupCommand',
      'AdminDeleteUserCommand',
    ]);
    expect(pool.users.size).toBe(0);
    expect(vectors.map((command) => command.name)).toEqual(['CreateIndexCommand', 'DeleteIndexCommand']);
    expect(writes(control)).toEqual(['TransactWriteItemsCommand', 'DeleteItemCommand']);
    expect(control.find((command) => command.name === 'DeleteItemCommand')?.input).toMatchObject({
      Key: { pk: { S: 'tenant#globex' }, sk: { S: 'profile' } },
    });
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
      // 129 characters: longer than a Cognito username may be.
      { email: `${'g'.repeat(114)}@globex.example` },
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

  it('lowercases the address, so one mailbox is one username, and accepts the longest one Cognito takes', async () => {
    const pool = cognito();
    const { handler } = controlHandler(pool);
    const longest = `${'g'.repeat(113)}@globex.example`;

    const mixed = await handler(
      onboard(
        OPERATOR,
        JSON.stringify({
          tenantId: 'globex',
          name: 'Globex',
          tier: 'basic',
          admin: { email: 'Gail@Globex.EXAMPLE' },
        }),
      ),
    );
    const long = await handler(
      onboard(
        OPERATOR,
        JSON.stringify({ tenantId: 'initech', name: 'Initech', tier: 'basic', admin: { email: longest } }),
      ),
    );

    expect(mixed.statusCode).toBe(201);
    expect(long.statusCode).toBe(201);
    expect(longest).toHaveLength(128);
    expect([...pool.users.keys()]).toEqual(['gail@globex.example', longest]);
  });

  it.each([
    ['LimitExceededException', 'AdminCreateUserCommand:SUPPRESS', LimitExceededException],
    ['CodeDeliveryFailureException', 'AdminCreateUserCommand:RESEND', CodeDeliveryFailureException],
  ])(
    'answers Cognito’s %s with 503 and Retry-After, leaving no user, index or record',
    async (_name, failing, Failure) => {
      const pool = cognito({}, undefined, (command) =>
        names([command])[0] === failing
          ? new Failure({ message: 'try later', $metadata: { httpStatusCode: 400 } })
          : undefined,
      );
      const { handler, control, vectors } = controlHandler(pool);

      const result = await handler(onboard());

      expect(result.statusCode).toBe(503);
      expect(result.headers?.['retry-after']).toBe('2');
      expect(JSON.parse(result.body).error.code).toBe('dependency_unavailable');
      expect(pool.users.size).toBe(0);
      expect(vectors.map((command) => command.name)).toEqual(['CreateIndexCommand', 'DeleteIndexCommand']);
      expect(writes(control)).toEqual(['TransactWriteItemsCommand', 'DeleteItemCommand']);
    },
  );

  it('answers a 500 (our bug, logged) when Cognito refuses our parameters after the request was validated', async () => {
    const pool = cognito({}, undefined, (command) =>
      command.name === 'AdminCreateUserCommand'
        ? new InvalidParameterException({ message: 'bad attribute', $metadata: { httpStatusCode: 400 } })
        : undefined,
    );
    const { handler } = controlHandler(pool);

    const result = await handler(onboard());

    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).error.code).toBe('internal_error');
  });
});
