/**
 * Demo data for `npm start`, written through the platform's own API, never around it: tenants
 * and roles through the operator API, memory facts, documents and acme's ticket-tracker
 * connector through the tenant API.
 */

import { PLATFORM_TENANT_ID } from '../lambdas/tenancy/request-context.js';
import { DEMO_USERS, type DemoUser } from './demo-users.js';
import type { DemoOAuthServer } from './emulators/oauth-server.js';
import { LOCAL_REGISTRY_SETTLE_SECONDS, type LocalCloud } from './local-cloud.js';

export const DEMO_TENANTS = [
  { tenantId: 'acme', name: 'Acme Corp', tier: 'basic' },
  // An enterprise tenant: its tier lives in silos, so it gets a silo stack of its own (docs/hybrid-tenancy.md).
  { tenantId: 'globex', name: 'Globex', tier: 'enterprise' },
] as const;

const FACTS: Readonly<Record<string, string>> = {
  alice: 'Prefers quarterly reports as bullet points.',
  gina: 'Works on the Globex cypress-tree project.',
};

const DOCUMENTS: Readonly<Record<string, string>> = {
  acme: 'Acme onboarding handbook: anvils ship on Tuesdays.',
  globex: 'Globex style guide: always capitalise Hank.',
};

type SeedCall = (user: DemoUser, method: string, path: string, body: unknown) => Promise<number>;

/** The demo MCP server acme's connector points at, and its API key. */
export interface DemoConnectorTarget {
  readonly url: string;
  readonly apiKey: string;
}

/** The name of acme's demo connector; its tools reach the agent as `tracker__<tool>`. */
export const DEMO_CONNECTOR = 'tracker';

/**
 * acme's ticket tracker: analysts and admins list and create tickets, only admins close them,
 * and closing always waits for approval; readers are offered none of it.
 */
export function demoConnectorBody(target: DemoConnectorTarget) {
  return {
    kind: 'mcp',
    description: 'The demo ticket tracker (an MCP server started by npm start)',
    url: target.url,
    auth: { type: 'api_key', value: target.apiKey },
    tools: [
      { name: 'list_tickets', roles: ['analyst', 'admin'] },
      { name: 'create_ticket', roles: ['analyst', 'admin'] },
      { name: 'close_ticket', roles: ['admin'], requiresApproval: true },
    ],
  } as const;
}

/** The per-user demo: the tracker that accepts the demo authorization server's tokens, and that server. */
export interface DemoOAuthTarget {
  readonly url: string;
  readonly resource: string;
  readonly server: Pick<
    DemoOAuthServer,
    'authorizationUrl' | 'tokenUrl' | 'revocationUrl' | 'clientId' | 'clientSecret' | 'scopes'
  >;
}

/** The name of acme's per-user demo connector: each user connects their own tracker account. */
export const DEMO_PERSONAL_CONNECTOR = 'mytickets';

export function demoPersonalConnectorBody(target: DemoOAuthTarget) {
  const { server } = target;
  return {
    kind: 'mcp',
    description: 'Your own tickets (per-user OAuth with the demo authorization server)',
    url: target.url,
    auth: {
      type: 'oauth_user',
      authorizationUrl: server.authorizationUrl,
      tokenUrl: server.tokenUrl,
      revocationUrl: server.revocationUrl,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      scopes: server.scopes,
      resource: target.resource,
    },
    tools: [
      { name: 'list_tickets', roles: ['reader', 'analyst', 'admin'] },
      { name: 'create_ticket', roles: ['analyst', 'admin'] },
    ],
  } as const;
}

/**
 * Seeds the demo tenants; a tenant that already exists (persisted data) is left as it is, but
 * acme's connectors are pointed at this run's demo servers either way.
 */
export async function seedDemo(
  cloud: LocalCloud,
  connector: DemoConnectorTarget,
  personal: DemoOAuthTarget,
): Promise<void> {
  const siloTenants = new Set<string>();
  const call: SeedCall = async (user, method, path, body) => {
    // Each tenant API serves the tenants of its placement: silo tenants the silo API.
    const endpoint = siloTenants.has(user.tenantId) ? cloud.siloApiEndpoint : cloud.apiEndpoint;
    const response = await fetch(`${endpoint}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await cloud.issuer.mint(user)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (response.status >= 400 && response.status !== 409) {
      throw new Error(`seeding ${method} ${path} failed: ${response.status} ${await response.text()}`);
    }
    return response.status;
  };
  const operator = userOf('operator');
  const created = await Promise.all(
    DEMO_TENANTS.map((tenant) => call(operator, 'POST', '/v1/admin/tenants', tenant)),
  );
  for (const tenantId of await placeInSilos(cloud)) siloTenants.add(tenantId);
  const acmeAdmin = userOf('admin', 'acme');
  if (created.every((status) => status === 409)) {
    // Persisted from an earlier run: only the connectors' URLs and keys are this run's.
    await call(acmeAdmin, 'PUT', `/v1/connectors/${DEMO_CONNECTOR}`, demoConnectorBody(connector));
    await call(
      acmeAdmin,
      'PUT',
      `/v1/connectors/${DEMO_PERSONAL_CONNECTOR}`,
      demoPersonalConnectorBody(personal),
    );
    return;
  }
  await Promise.all(
    DEMO_USERS.filter((candidate) => candidate.tenantId !== PLATFORM_TENANT_ID).map((user) =>
      call(operator, 'PUT', `/v1/admin/tenants/${user.tenantId}/users/${user.sub}/roles`, {
        roles: user.groups,
      }),
    ),
  );
  await Promise.all([
    ...DEMO_USERS.flatMap((user) => {
      const fact = FACTS[user.sub];
      return fact === undefined ? [] : [call(user, 'PUT', '/v1/memory', { fact })];
    }),
    seedDocuments(call),
    call(acmeAdmin, 'POST', '/v1/connectors', { name: DEMO_CONNECTOR, ...demoConnectorBody(connector) }),
    call(acmeAdmin, 'POST', '/v1/connectors', {
      name: DEMO_PERSONAL_CONNECTOR,
      ...demoPersonalConnectorBody(personal),
    }),
  ]);
}

/**
 * Carries every demo tenant's move to its silo through, with the placement job (what its schedule
 * does a minute or two later; nothing is in flight yet, so each run stands past the hold); the
 * tenants now in silos.
 */
async function placeInSilos(cloud: LocalCloud): Promise<string[]> {
  // The placement job is the function that is given the silo template.
  const placement = cloud.model.functions.find((fn) => fn.environment.SILO_TEMPLATE_URL !== undefined);
  if (placement === undefined) throw new Error('the template has no placement function');
  const settleMs = LOCAL_REGISTRY_SETTLE_SECONDS * 1000;
  const inSilo: string[] = [];
  for (const { tenantId } of DEMO_TENANTS) {
    for (let run = 1; run <= 10; run += 1) {
      const time = new Date(Date.now() + run * (settleMs + 1000)).toISOString();
      const summary = (await cloud.invoke(placement.logicalId, undefined, { tenantId, time })) as {
        moving: number;
        failed: number;
      };
      if (summary.failed > 0)
        throw new Error(`placing ${tenantId} in its silo failed (see its move's lastError)`);
      if (summary.moving === 0) break;
    }
  }
  const view = await fetch(`${cloud.apiEndpoint}/v1/admin/tenants?limit=100`, {
    headers: { authorization: `Bearer ${await cloud.issuer.mint(userOf('operator'))}` },
  });
  const { tenants } = (await view.json()) as { tenants: { tenantId: string; placement?: string }[] };
  for (const tenant of tenants) if (tenant.placement === 'silo') inSilo.push(tenant.tenantId);
  return inSilo;
}

/** The first demo user holding `group`. */
export function userOf(group: string, tenantId?: string): DemoUser {
  const user = DEMO_USERS.find(
    (candidate) =>
      candidate.groups.includes(group) && (tenantId === undefined || candidate.tenantId === tenantId),
  );
  if (user === undefined) throw new Error(`no demo user with ${group}`);
  return user;
}

/** Tenant-visible documents, uploaded by each tenant's admin through the API (stored, chunked, indexed). */
async function seedDocuments(call: SeedCall): Promise<void> {
  await Promise.all(
    Object.entries(DOCUMENTS).map(([tenantId, content]) =>
      call(userOf('admin', tenantId), 'POST', '/v1/documents', {
        title: content.slice(0, content.indexOf(':')),
        content,
        visibility: 'tenant',
      }),
    ),
  );
}
