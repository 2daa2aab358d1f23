/**
 * A user's delegated connections: per-user OAuth (authorization code + PKCE) to a tenant's
 * connector, with the tokens kept in the token vault. Everything lives in the user's own private
 * partition (`<tenant>#u#<user>#…`): the sign-in states (single-use, 10 minutes), the sealed
 * connections, and the refresh leases — so IAM's LeadingKeys grant keeps each user's to them.
 *
 * Access tokens are refreshed before they expire, once: a process-wide single flight per user and
 * connector, and across processes a lease item per connection version (the first to create it
 * refreshes; the others wait for the next version). A refused refresh marks the connection as
 * needing consent; the agent then answers `connectionRequired` with a fresh sign-in link.
 */
import * as oauth from 'oauth4webapi';
import * as z from 'zod';
import type { DataAudit } from '../audit/request-audit.js';
import type { StoredConnector } from '../connectors/connector-definition.js';
import type { Connectors } from '../connectors/connector-store.js';
import { clientFor } from '../connectors/connector-tools.js';
import { ConnectorNotFoundError } from '../connectors/errors.js';
import type { OutboundPolicy } from '../connectors/outbound-fetch.js';
import type { TenantSecrets } from '../connectors/tenant-secrets.js';
import { ClientError } from '../error-families.js';
import { TABLE_TTL_ATTRIBUTE } from '../tenancy/key-layout.js';
import type { ItemAddress, ScopedTable } from '../tenancy/scoped-table.js';
import {
  ConnectionNotFoundError,
  ConnectionRequiredError,
  InvalidOAuthStateError,
  NotPerUserConnectorError,
  OAuthGrantRefusedError,
  OAuthServerUnavailableError,
  RedirectUriNotAllowedError,
} from './errors.js';
import { OAuthClient, type TokenSet } from './oauth-client.js';
import type { TokenVault } from './token-vault.js';

const STATE_SECONDS = 10 * 60;
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;
/** How long a refresher holds its lease before another may take over. */
const LEASE_MS = 15_000;
/** How long a caller waits for another's refresh, and how often it looks. */
const WAIT_FOR_REFRESH_MS = 10_000;
const POLL_MS = 100;
/** An access token without `expires_in` is treated as valid this long. */
const DEFAULT_TOKEN_SECONDS = 3_600;

const StateSchema = z.object({
  connector: z.string(),
  verifier: z.string(),
  redirectUri: z.string(),
  expiresAtIso: z.iso.datetime(),
});

const ConnectionRecordSchema = z.object({
  sealed: z.string(),
  scopes: z.string(),
  expiresAtIso: z.iso.datetime(),
  status: z.enum(['active', 'needs_consent']),
  version: z.number().int().positive(),
  connectedAt: z.iso.datetime(),
});
type ConnectionRecord = z.infer<typeof ConnectionRecordSchema>;

export const ConnectionViewSchema = z
  .object({
    connector: z.string(),
    scopes: z.array(z.string()),
    expiresAt: z.iso.datetime(),
    status: z.enum(['active', 'needs_consent']),
    connectedAt: z.iso.datetime(),
  })
  .meta({ id: 'ConnectionView', description: 'One of the caller’s OAuth connections: never a token' });
export type ConnectionView = z.infer<typeof ConnectionViewSchema>;

export const OAuthCallbackQuerySchema = z
  .object({
    code: z.string().min(1).max(2_048).optional(),
    state: z.string().min(1).max(256),
    iss: z.string().max(2_048).optional(),
    error: z.string().max(256).optional(),
    error_description: z.string().max(2_048).optional(),
  })
  .strict();
export type OAuthCallbackQuery = z.infer<typeof OAuthCallbackQuerySchema>;

/** The private collections a user's connections keep. */
export const CONNECTION_COLLECTIONS = ['oauth-states', 'connections', 'connection-leases'] as const;

const stateAddress = (state: string): ItemAddress => ({
  visibility: 'private',
  collection: 'oauth-states',
  sk: state,
});
const connectionAddress = (connector: string): ItemAddress => ({
  visibility: 'private',
  collection: 'connections',
  sk: connector,
});
const leaseAddress = (connector: string, version: number): ItemAddress => ({
  visibility: 'private',
  collection: 'connection-leases',
  sk: `${connector}#${version}`,
});

/** Refreshes in flight in this process, by tenant, user and connector. */
const refreshing = new Map<string, Promise<string>>();

export interface ConnectionsDependencies {
  readonly owner: { readonly tenantId: string; readonly userId: string };
  readonly table: Pick<ScopedTable, 'get' | 'put' | 'delete' | 'query' | 'transactWrite'>;
  readonly vault: Pick<TokenVault, 'seal' | 'open'>;
  readonly secrets: Pick<TenantSecrets, 'get'>;
  readonly connectors: Pick<Connectors, 'get' | 'list' | 'pinTools'>;
  readonly audit: DataAudit;
  readonly policy: OutboundPolicy;
  /** The platform's callback (`<api>/v1/oauth/callback`), as this request reached the API. */
  readonly redirectUri: string;
  /** The other callbacks a sign-in may ask for: the web console's, on the deployment's browser origins. */
  readonly consoleRedirectUris: readonly string[];
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class Connections {
  readonly #now: () => Date;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: ConnectionsDependencies) {
    this.#now = deps.now ?? (() => new Date());
    this.#sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Starts a sign-in: a single-use state and PKCE verifier kept for the caller, with where the
   * user is sent back (`redirectUri`, one of the console callbacks; default the platform's); the
   * URL to open.
   */
  async begin(
    connectorName: string,
    options: { readonly redirectUri?: string | undefined } = {},
  ): Promise<{ authorizeUrl: string; expiresAt: string }> {
    const { redirectUri = this.deps.redirectUri } = options;
    if (redirectUri !== this.deps.redirectUri && !this.deps.consoleRedirectUris.includes(redirectUri))
      throw new RedirectUriNotAllowedError();
    const connector = await this.#perUser(connectorName);
    const state = oauth.generateRandomState();
    const verifier = oauth.generateRandomCodeVerifier();
    const expires = new Date(this.#now().getTime() + STATE_SECONDS * 1000);
    await this.deps.table.put(stateAddress(state), {
      connector: connector.name,
      verifier,
      redirectUri,
      expiresAtIso: expires.toISOString(),
      [TABLE_TTL_ATTRIBUTE]: Math.floor(expires.getTime() / 1000),
    });
    const client = await this.#oauthClient(connector);
    return {
      authorizeUrl: client.authorizationUrl({
        state,
        codeChallenge: await oauth.calculatePKCECodeChallenge(verifier),
        redirectUri,
      }),
      expiresAt: expires.toISOString(),
    };
  }

  /** Completes a sign-in: the state is the caller's, unused and fresh; the tokens go to the vault. */
  async complete(query: OAuthCallbackQuery): Promise<ConnectionView> {
    const item = await this.deps.table.get(stateAddress(query.state));
    const state = StateSchema.safeParse(item?.attributes);
    if (!state.success || state.data.expiresAtIso <= this.#now().toISOString())
      throw new InvalidOAuthStateError();
    // Single use: of two callbacks racing with one state, one deletes it and the other is refused.
    if (!(await this.deps.table.delete(stateAddress(query.state), { mustExist: true })))
      throw new InvalidOAuthStateError();
    const connector = await this.#perUser(state.data.connector);
    const client = await this.#oauthClient(connector);
    const callback = new URLSearchParams(
      Object.entries(query).flatMap(([name, value]): [string, string][] =>
        value === undefined ? [] : [[name, value]],
      ),
    );
    const tokens = await client.exchangeCode(callback, state.data.redirectUri, state.data.verifier);
    const current = await this.#record(connector.name);
    const record = await this.#recordOf(
      connector.name,
      tokens,
      (current?.version ?? 0) + 1,
      this.#now().toISOString(),
    );
    await this.deps.audit.write(
      {
        kind: 'data_write',
        action: 'connections.consent',
        resource: `connection/${connector.name} scopes=${record.scopes}`.slice(0, 512),
      },
      () => this.deps.table.put(connectionAddress(connector.name), record),
    );
    await this.#pinToolsWith(connector, tokens.accessToken);
    return viewOf(connector.name, record);
  }

  /** The caller's connections (never a token). */
  async list(): Promise<ConnectionView[]> {
    const page = await this.deps.table.query(
      { visibility: 'private', collection: 'connections' },
      { limit: 100 },
    );
    return page.items.flatMap((item) => {
      const record = ConnectionRecordSchema.safeParse(item.attributes);
      return record.success ? [viewOf(item.sk, record.data)] : [];
    });
  }

  /** Revokes the tokens at the server (where it can) and forgets the connection. */
  async revoke(connectorName: string): Promise<void> {
    const record = await this.#record(connectorName);
    if (record === undefined) throw new ConnectionNotFoundError();
    await this.deps.audit.write(
      { kind: 'data_delete', action: 'connections.revoke', resource: `connection/${connectorName}` },
      async () => {
        // A connector removed since: nothing to revoke at its server, but the connection still goes.
        const connector = await this.deps.connectors.get(connectorName).catch((err: unknown) => {
          if (err instanceof ConnectorNotFoundError) return undefined;
          throw err;
        });
        if (connector?.auth.type === 'oauth_user') {
          const tokens = await this.deps.vault.open(connectorName, record.sealed);
          const client = await this.#oauthClient(connector);
          await client.revoke(tokens.refreshToken ?? tokens.accessToken);
        }
        await this.deps.table.delete(connectionAddress(connectorName));
      },
    );
  }

  /**
   * A valid access token of the caller for a per-user connector, refreshed if it is about to
   * expire; throws ConnectionRequiredError (with a sign-in link) when there is none to be had.
   */
  async accessToken(connector: StoredConnector): Promise<string> {
    const record = await this.#record(connector.name);
    if (record === undefined || record.status === 'needs_consent') throw await this.#connectFirst(connector);
    if (Date.parse(record.expiresAtIso) - this.#now().getTime() > REFRESH_MARGIN_MS)
      return (await this.deps.vault.open(connector.name, record.sealed)).accessToken;
    const key = `${this.deps.owner.tenantId}/${this.deps.owner.userId}/${connector.name}`;
    const inFlight =
      refreshing.get(key) ?? this.#refresh(connector, record).finally(() => refreshing.delete(key));
    refreshing.set(key, inFlight);
    return inFlight;
  }

  async #refresh(connector: StoredConnector, record: ConnectionRecord): Promise<string> {
    if (!(await this.#lease(connector.name, record.version)))
      return this.#awaitRefresh(connector, record.version);
    const tokens = await this.deps.vault.open(connector.name, record.sealed);
    if (tokens.refreshToken === undefined) {
      await this.#needsConsent(connector.name, record.version);
      throw await this.#connectFirst(connector);
    }
    let refreshed: TokenSet;
    try {
      refreshed = await (await this.#oauthClient(connector)).refresh(tokens.refreshToken);
    } catch (err) {
      if (!(err instanceof OAuthGrantRefusedError)) throw err;
      await this.#needsConsent(connector.name, record.version);
      throw await this.#connectFirst(connector);
    }
    const next = await this.#recordOf(
      connector.name,
      { ...refreshed, refreshToken: refreshed.refreshToken ?? tokens.refreshToken },
      record.version + 1,
      record.connectedAt,
    );
    await this.deps.table.transactWrite([
      {
        kind: 'swap',
        address: connectionAddress(connector.name),
        set: next,
        expect: { version: record.version },
      },
    ]);
    return refreshed.accessToken;
  }

  /** Takes the refresh of one connection version: created first, or taken over once expired. */
  async #lease(connector: string, version: number): Promise<boolean> {
    const now = this.#now().getTime();
    const until = new Date(now + LEASE_MS).toISOString();
    const ttl = Math.floor((now + LEASE_MS) / 1000) + 3600;
    if (
      await this.deps.table.put(
        leaseAddress(connector, version),
        { leaseUntilIso: until, [TABLE_TTL_ATTRIBUTE]: ttl },
        { ifNotExists: true },
      )
    )
      return true;
    const held = (await this.deps.table.get(leaseAddress(connector, version)))?.attributes.leaseUntilIso;
    if (typeof held !== 'string' || held > new Date(now).toISOString()) return false;
    return this.deps.table.transactWrite([
      {
        kind: 'swap',
        address: leaseAddress(connector, version),
        set: { leaseUntilIso: until },
        expect: { leaseUntilIso: held },
      },
    ]);
  }

  /** Waits for another refresher's next version of the connection. */
  async #awaitRefresh(connector: StoredConnector, version: number): Promise<string> {
    for (let waited = 0; waited < WAIT_FOR_REFRESH_MS; waited += POLL_MS) {
      await this.#sleep(POLL_MS);
      const record = await this.#record(connector.name);
      if (record === undefined || record.status === 'needs_consent')
        throw await this.#connectFirst(connector);
      if (record.version > version)
        return (await this.deps.vault.open(connector.name, record.sealed)).accessToken;
    }
    throw new OAuthServerUnavailableError();
  }

  async #needsConsent(connector: string, version: number): Promise<void> {
    await this.deps.table.transactWrite([
      {
        kind: 'swap',
        address: connectionAddress(connector),
        set: { status: 'needs_consent', version: version + 1 },
        expect: { version },
      },
    ]);
  }

  async #connectFirst(connector: StoredConnector): Promise<ConnectionRequiredError> {
    return new ConnectionRequiredError(connector.name, (await this.begin(connector.name)).authorizeUrl);
  }

  async #record(connector: string): Promise<ConnectionRecord | undefined> {
    const parsed = ConnectionRecordSchema.safeParse(
      (await this.deps.table.get(connectionAddress(connector)))?.attributes,
    );
    return parsed.success ? parsed.data : undefined;
  }

  async #recordOf(
    connector: string,
    tokens: TokenSet,
    version: number,
    connectedAt: string,
  ): Promise<ConnectionRecord> {
    const seconds = tokens.expiresIn ?? DEFAULT_TOKEN_SECONDS;
    return {
      sealed: await this.deps.vault.seal(connector, {
        accessToken: tokens.accessToken,
        ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
      }),
      scopes: tokens.scope ?? '',
      expiresAtIso: new Date(this.#now().getTime() + seconds * 1000).toISOString(),
      status: 'active',
      version,
      connectedAt,
    };
  }

  /**
   * The first connection of anyone pins a per-user connector's tool specs (see Connectors.pinTools).
   * The connection is stored by then: a connector that cannot be listed (or publishes a schema ajv
   * refuses) leaves its tools unpinned for the next connection to try, rather than failing this one.
   */
  async #pinToolsWith(connector: StoredConnector, accessToken: string): Promise<void> {
    if (connector.discovered.length > 0) return;
    try {
      const offered = await clientFor(
        connector,
        { authorization: `Bearer ${accessToken}` },
        this.deps.policy,
      ).listTools();
      await this.deps.connectors.pinTools(connector, offered);
    } catch (err) {
      if (!(err instanceof ClientError)) throw err;
    }
  }

  async #perUser(connectorName: string): Promise<StoredConnector> {
    const connector = await this.deps.connectors.get(connectorName);
    if (connector.auth.type !== 'oauth_user') throw new NotPerUserConnectorError();
    return connector;
  }

  async #oauthClient(connector: StoredConnector): Promise<OAuthClient> {
    if (connector.auth.type !== 'oauth_user') throw new NotPerUserConnectorError();
    const { secretName, ...settings } = connector.auth;
    const secret = secretName === undefined ? undefined : await this.deps.secrets.get(secretName);
    return new OAuthClient(settings, secret, this.deps.policy);
  }
}

function viewOf(connector: string, record: ConnectionRecord): ConnectionView {
  return {
    connector,
    scopes: record.scopes.split(' ').filter(Boolean),
    expiresAt: record.expiresAtIso,
    status: record.status,
    connectedAt: record.connectedAt,
  };
}
