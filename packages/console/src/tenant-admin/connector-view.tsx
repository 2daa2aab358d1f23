/**
 * One connector (`GET /v1/connectors/{name}`) and its tool role map to edit: per exposed tool the
 * roles offered it and whether calls wait for approval. Saving replaces the definition
 * (`PUT /v1/connectors/{name}`) with everything else as stored — an API key or client secret left
 * out keeps the stored one — and the API discovers the tools again.
 */
import type { Schemas } from '@bulkhead/client';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { Status } from '../status.js';
import { useApiAction, useApiData } from '../use-api.js';
import type { ConnectorAuth } from './connector-auth-fields.js';
import { connectorsPath } from './paths.js';
import { tenantRolesOf } from './tenant-roles.js';
import { exposedTools, ToolRoleMap, type ToolRow } from './tool-role-map.js';

type Connector = Schemas['ConnectorView'];

/** The stored auth as the API takes it back: secrets left out (kept), nothing shown-only. */
function storedAuth(auth: Connector['auth']): ConnectorAuth {
  if (auth.type !== 'oauth_user') return auth;
  const { confidentialClient: _shownOnly, ...rest } = auth;
  return rest;
}

const rowsOf = (connector: Connector): ToolRow[] =>
  connector.tools.map((tool, index) => ({
    key: index + 1,
    name: tool.name,
    roles: tenantRolesOf(tool.roles),
    requiresApproval: tool.requiresApproval,
    exposed: true,
    description: tool.description,
  }));

export function ConnectorView({ name }: { readonly name: string }) {
  const {
    data: connector,
    refusal,
    reload,
  } = useApiData((api) => api.GET('/v1/connectors/{name}', { params: { path: { name } } }), [name]);
  const { run, busy, refusal: saveRefusal } = useApiAction();
  const [rows, setRows] = useState<ToolRow[]>([]);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (connector !== undefined) setRows(rowsOf(connector));
  }, [connector]);

  const save = async (event: Event) => {
    event.preventDefault();
    if (connector === undefined || connector.kind !== 'mcp') return;
    setSaved(false);
    const done = await run((api) =>
      api.PUT('/v1/connectors/{name}', {
        params: { path: { name } },
        body: {
          kind: 'mcp',
          url: connector.url,
          ...(connector.description === undefined ? {} : { description: connector.description }),
          auth: storedAuth(connector.auth),
          tools: exposedTools(rows),
          timeoutMs: connector.timeoutMs,
          maxResponseBytes: connector.maxResponseBytes,
        },
      }),
    );
    if (done !== undefined) {
      setSaved(true);
      reload();
    }
  };

  return (
    <section class="tenant-admin" aria-labelledby="connector-heading">
      <h1 id="connector-heading">Connector {name}</h1>
      <p>
        <a href={connectorsPath()}>All connectors</a>
      </p>
      {refusal && <ApiError refusal={refusal} />}
      {connector && (
        <>
          <dl aria-label="Connector">
            <dt>Kind</dt>
            <dd>{connector.kind === 'mcp' ? 'MCP server' : 'HTTP API'}</dd>
            <dt>URL</dt>
            <dd>{connector.url}</dd>
            <dt>Auth</dt>
            <dd>{connector.auth.type}</dd>
            <dt>Updated</dt>
            <dd>{connector.updatedAt}</dd>
          </dl>
          {connector.kind === 'mcp' ? (
            <form class="admin-form" aria-label="Tool role map" onSubmit={save}>
              <ToolRoleMap
                rows={rows}
                onChange={(changed) => {
                  setSaved(false);
                  setRows(changed);
                }}
              />
              {saveRefusal && <ApiError refusal={saveRefusal} />}
              <Status>{saved && 'Saved: the connector’s tools were discovered again.'}</Status>
              <button type="submit" disabled={busy}>
                Save the role map
              </button>
            </form>
          ) : (
            <p>
              The API does not show an HTTP connector’s operations, so its role map cannot be replaced from
              here: send the whole definition to <code>PUT /v1/connectors/{name}</code>.
            </p>
          )}
        </>
      )}
    </section>
  );
}
