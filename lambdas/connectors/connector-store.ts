/**
 * A tenant's connectors: tenant data in the tenant-shared partition
 * (`<tenant>#t#connectors`), written through the tenant session, so no other
 * tenant's session can read or change them (IAM decides, as for every item).
 * An API key goes to the tenant's own secret in Secrets Manager; the record
 * keeps only the secret's name. Registering (or replacing) a connector
 * discovers its tools then and pins their specs; an exposed tool the
 * connector does not offer, or a schema ajv cannot compile, is refused (422).
 */
import type { DataAudit } from '../audit/request-audit.js';
import type { ItemAddress, PartitionAddress, ScopedTable } from '../tenancy/scoped-table.js';
import {
  type ConnectorBody,
  type ConnectorName,
  type DiscoveredTool,
  MAX_CONNECTORS_PER_TENANT,
  type NewConnector,
  type StoredAuth,
  type StoredConnector,
  StoredConnectorSchema,
} from './connector-definition.js';
import { authHeaders, clientFor } from './connector-tools.js';
import { ConnectorConflictError, ConnectorDefinitionError, ConnectorNotFoundError } from './errors.js';
import { checkConnectorUrl, type OutboundPolicy } from './outbound-fetch.js';
import type { TenantSecrets } from './tenant-secrets.js';
import { assertCompiles } from './tool-schema.js';

export const CONNECTORS: PartitionAddress = { visibility: 'tenant', collection: 'connectors' };
const SECRET_PURPOSE = 'connectors';

function connectorAddress(name: ConnectorName): ItemAddress {
  return { ...CONNECTORS, sk: name };
}

export interface ConnectorsDependencies {
  readonly table: Pick<ScopedTable, 'get' | 'put' | 'query' | 'delete'>;
  readonly secrets: Pick<TenantSecrets, 'nameOf' | 'put' | 'get' | 'delete'>;
  readonly audit: DataAudit;
  readonly policy: OutboundPolicy;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export class Connectors {
  readonly #now: () => Date;

  constructor(private readonly deps: ConnectorsDependencies) {
    this.#now = deps.now ?? (() => new Date());
  }

  /** Every connector of the tenant, by name. */
  async list(): Promise<StoredConnector[]> {
    const page = await this.deps.table.query(CONNECTORS, { limit: MAX_CONNECTORS_PER_TENANT });
    return page.items.flatMap((item) => {
      const parsed = StoredConnectorSchema.safeParse(parseRecord(item.attributes.connector));
      return parsed.success ? [parsed.data] : [];
    });
  }

  async get(name: ConnectorName): Promise<StoredConnector> {
    const item = await this.deps.table.get(connectorAddress(name));
    const parsed = StoredConnectorSchema.safeParse(parseRecord(item?.attributes.connector));
    if (!parsed.success) throw new ConnectorNotFoundError();
    return parsed.data;
  }

  /** Registers a connector (409 when the name is taken or the tenant has the most it may). */
  async create(body: NewConnector): Promise<StoredConnector> {
    const { name, ...definition } = body;
    if ((await this.list()).length >= MAX_CONNECTORS_PER_TENANT)
      throw new ConnectorConflictError(`a tenant may have at most ${MAX_CONNECTORS_PER_TENANT} connectors`);
    if ((await this.deps.table.get(connectorAddress(name))) !== undefined)
      throw new ConnectorConflictError('a connector with this name exists');
    const stored = await this.#prepare(name, definition, undefined);
    return this.deps.audit.write(
      { kind: 'admin_action', action: 'connectors.create', resource: `connector/${name}` },
      async () => {
        await this.#storeKey(stored.auth, definition);
        const created = await this.deps.table.put(
          connectorAddress(name),
          { connector: JSON.stringify(stored) },
          {
            ifNotExists: true,
          },
        );
        if (!created) throw new ConnectorConflictError('a connector with this name exists');
        return stored;
      },
    );
  }

  /** Replaces a connector's definition; an API key left out keeps the stored one. */
  async replace(name: ConnectorName, body: ConnectorBody): Promise<StoredConnector> {
    const current = await this.get(name);
    const stored = await this.#prepare(name, body, current.auth);
    return this.deps.audit.write(
      { kind: 'admin_action', action: 'connectors.replace', resource: `connector/${name}` },
      async () => {
        await this.#storeKey(stored.auth, body);
        await this.deps.table.put(connectorAddress(name), { connector: JSON.stringify(stored) });
        const dropped = secretNameOf(current.auth);
        if (dropped !== undefined && dropped !== secretNameOf(stored.auth))
          await this.deps.secrets.delete(dropped);
        return stored;
      },
    );
  }

  /** Removes a connector and its key. */
  async delete(name: ConnectorName): Promise<void> {
    const current = await this.get(name);
    await this.deps.audit.write(
      { kind: 'admin_action', action: 'connectors.delete', resource: `connector/${name}` },
      async () => {
        await this.deps.table.delete(connectorAddress(name));
        const secretName = secretNameOf(current.auth);
        if (secretName !== undefined) await this.deps.secrets.delete(secretName);
      },
    );
  }

  /**
   * The record to store: URLs checked, the tools discovered with the key given (or the stored
   * one) and their specs pinned. A per-user OAuth connector has no key to discover with: its
   * specs are pinned by the first user who connects (`pinTools`).
   */
  async #prepare(
    name: ConnectorName,
    body: ConnectorBody,
    currentAuth: StoredAuth | undefined,
  ): Promise<StoredConnector> {
    checkConnectorUrl(body.url, this.deps.policy);
    const auth = this.#storedAuth(name, body, currentAuth);
    const discovered =
      auth.type === 'oauth_user'
        ? []
        : pinnedTools(
            body.tools,
            await clientFor(body, await this.#headersFor(body, auth), this.deps.policy).listTools(),
          );
    const { auth: _auth, ...definition } = body;
    return StoredConnectorSchema.parse({
      ...definition,
      name,
      auth,
      discovered,
      updatedAt: this.#now().toISOString(),
    });
  }

  /**
   * Pins a per-user connector's tool specs, discovered with a user's own token the first time
   * anyone connects (the exposed tools the server does not offer stay unpinned, so unoffered).
   */
  async pinTools(connector: StoredConnector, offered: readonly DiscoveredTool[]): Promise<void> {
    if (connector.discovered.length > 0) return;
    const discovered = pinnedTools(
      connector.tools.filter((exposed) => offered.some((tool) => tool.name === exposed.name)),
      offered,
    );
    const pinned = { ...connector, discovered };
    await this.deps.table.put(connectorAddress(connector.name), { connector: JSON.stringify(pinned) });
  }

  /** What is stored of the auth: secrets by name only; URLs the platform calls checked first. */
  #storedAuth(name: ConnectorName, body: ConnectorBody, currentAuth: StoredAuth | undefined): StoredAuth {
    switch (body.auth.type) {
      case 'none':
        return { type: 'none' };
      case 'api_key':
        if (body.auth.value === undefined && currentAuth?.type !== 'api_key')
          throw new ConnectorDefinitionError('an api_key connector needs its key');
        return {
          type: 'api_key',
          header: body.auth.header,
          scheme: body.auth.scheme,
          secretName: this.deps.secrets.nameOf(SECRET_PURPOSE, name),
        };
      case 'oauth_user': {
        const { clientSecret, ...oauth } = body.auth;
        // The issuer too: the test reads its metadata. (`resource` is an identifier, never fetched.)
        for (const url of [oauth.authorizationUrl, oauth.tokenUrl, oauth.revocationUrl, oauth.issuer])
          if (url !== undefined) checkConnectorUrl(url, this.deps.policy);
        const keepsSecret = currentAuth?.type === 'oauth_user' && currentAuth.secretName !== undefined;
        return clientSecret !== undefined || keepsSecret
          ? { ...oauth, secretName: this.deps.secrets.nameOf(SECRET_PURPOSE, `${name}.client`) }
          : oauth;
      }
    }
  }

  async #headersFor(body: ConnectorBody, auth: StoredAuth): Promise<Record<string, string>> {
    if (body.auth.type === 'api_key' && body.auth.value !== undefined) {
      const key = body.auth.value;
      return authHeaders(auth, { get: async () => key });
    }
    return authHeaders(auth, { get: (secretName) => this.deps.secrets.get(secretName) });
  }

  async #storeKey(auth: StoredAuth, body: ConnectorBody): Promise<void> {
    const value =
      body.auth.type === 'api_key'
        ? body.auth.value
        : body.auth.type === 'oauth_user'
          ? body.auth.clientSecret
          : undefined;
    const secretName = secretNameOf(auth);
    if (value !== undefined && secretName !== undefined) await this.deps.secrets.put(secretName, value);
  }
}

/** The Secrets Manager name an auth keeps its secret under, if it has one. */
/** The names of every secret the table's tenant's connectors keep (tenant erasure deletes them). */
export async function connectorSecretNames(table: Pick<ScopedTable, 'query'>): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await table.query(CONNECTORS, cursor === undefined ? {} : { cursor });
    for (const item of page.items) {
      const parsed = StoredConnectorSchema.safeParse(parseRecord(item.attributes.connector));
      const name = parsed.success ? secretNameOf(parsed.data.auth) : undefined;
      if (name !== undefined) names.push(name);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return names;
}

export function secretNameOf(auth: StoredAuth): string | undefined {
  return auth.type === 'none' ? undefined : auth.secretName;
}

/** The exposed tools' specs from what the connector offers (422 for one it does not offer). */
function pinnedTools(
  exposed: StoredConnector['tools'],
  offered: readonly DiscoveredTool[],
): DiscoveredTool[] {
  return exposed.map((tool) => {
    const spec = offered.find((candidate) => candidate.name === tool.name);
    if (spec === undefined)
      throw new ConnectorDefinitionError(`the connector offers no tool named ${tool.name}`);
    if (spec.inputSchema.type !== 'object')
      throw new ConnectorDefinitionError(`the input schema of ${tool.name} is not an object schema`);
    assertCompiles(spec.inputSchema);
    return spec;
  });
}

function parseRecord(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
