/**
 * "Connections": this person's own accounts at per-user OAuth connectors (`GET /v1/me/connections`),
 * revoked with `DELETE /v1/me/connections/{name}`, and connected with
 * `POST /v1/connectors/{name}/connect`, which sends the browser to the authorization server; it
 * comes back to the console's oauth/callback page (oauth-callback-view.tsx).
 */
import type { Schemas } from '@bulkhead/client';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError } from '../api-error.js';
import { Status } from '../status.js';
import { useApiAction, useApiData } from '../use-api.js';
import { mayNavigateTo } from './authorize-url.js';
import { OneFieldForm } from './one-field-form.js';
import { type Column, RemovableRows } from './removable-rows.js';

type Connection = Schemas['ConnectionView'];

/** Where the authorization server sends the browser back: the console's page that finishes the connection. */
const CALLBACK = new URL(`${import.meta.env.BASE_URL}oauth/callback`, location.origin).href;

const COLUMNS: readonly Column<Connection>[] = [
  { heading: 'Connector', cell: (connection) => connection.connector },
  {
    heading: 'Status',
    cell: (connection) => (connection.status === 'active' ? 'connected' : 'needs your consent again'),
  },
  { heading: 'Scopes', cell: (connection) => connection.scopes.join(' ') },
  {
    heading: 'Connected',
    cell: (connection) => (
      <time dateTime={connection.connectedAt}>{new Date(connection.connectedAt).toLocaleString()}</time>
    ),
  },
];

export function ConnectionsView() {
  const { query } = useLocation();
  const { data, refusal, reload } = useApiData((api) => api.GET('/v1/me/connections'), []);
  const change = useApiAction();
  const [connector, setConnector] = useState(query.connector ?? '');
  const [done, setDone] = useState('');
  const [unsafeUrl, setUnsafeUrl] = useState<string>();

  async function connect(name: string) {
    setUnsafeUrl(undefined);
    const started = await change.run((api) =>
      api.POST('/v1/connectors/{name}/connect', {
        params: { path: { name } },
        body: { redirectUri: CALLBACK },
      }),
    );
    if (started?.data === undefined) return;
    const { authorizeUrl } = started.data;
    if (mayNavigateTo(authorizeUrl)) location.assign(authorizeUrl);
    else setUnsafeUrl(authorizeUrl);
  }

  const connections = data?.connections;
  return (
    <section aria-labelledby="connections-heading" class="you">
      <h1 id="connections-heading">Connections</h1>
      <p>
        Your own accounts at the services your tenant's connectors reach on your behalf. The platform keeps
        their tokens; you see only what each connection allows.
      </p>
      <Status>{done}</Status>
      {refusal && <ApiError refusal={refusal} />}
      {change.refusal && <ApiError refusal={change.refusal} />}
      {unsafeUrl !== undefined && (
        <p role="alert">
          Not opened: the authorization server's address must be https (or http on this computer), not{' '}
          <code>{unsafeUrl}</code>. Ask your tenant's admin to fix the connector.
        </p>
      )}
      {connections && (
        <RemovableRows
          caption="My connections"
          columns={COLUMNS}
          rows={connections}
          keyOf={(connection) => connection.connector}
          remove="Revoke"
          removeName={(connection) => `Revoke ${connection.connector}`}
          action={change}
          call={(api, { connector: name }) =>
            api.DELETE('/v1/me/connections/{name}', { params: { path: { name } } })
          }
          onRemoved={(connection) => {
            setDone(`Revoked your connection to ${connection.connector}.`);
            reload();
          }}
        />
      )}
      {connections?.length === 0 && <p>You have not connected any account yet.</p>}
      <OneFieldForm
        id="connector-name"
        heading="Connect an account"
        label="Connector"
        value={connector}
        onValue={setConnector}
        submit="Connect"
        busy={change.busy}
        onSubmit={connect}
      />
    </section>
  );
}
