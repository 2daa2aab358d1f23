/**
 * "Connectors": the tenant's connectors (`GET /v1/connectors`) with their tool role maps, a link
 * to edit each, "Test connection" (`POST /v1/connectors/{name}/test`: the API reaches the
 * connector as the agent would and stores nothing) and delete (`DELETE /v1/connectors/{name}`,
 * confirmed first). Secrets are never shown: the API does not send them.
 */
import type { Schemas } from '@bulkhead/client';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError } from '../api-error.js';
import { focusSoon } from '../focus.js';
import { Status } from '../status.js';
import { useApiAction, useApiData } from '../use-api.js';
import { connectorPath, registerConnectorPath } from './paths.js';

type Connector = Schemas['ConnectorView'];
type ConnectorCheck = Schemas['ConnectorCheck'];

/** Why a tested connector did not answer as it should (an alert). */
function CheckFailure({ name, check }: { readonly name: string; readonly check: ConnectorCheck }) {
  return (
    <p role="alert">
      {name} did not answer as it should: <code>{check.reason ?? 'unknown'}</code>
      {check.message === undefined ? '' : ` — ${check.message}`}
    </p>
  );
}

/** A connector that answered its test, in words (the status message). */
function checkPassed(name: string, check: ConnectorCheck): string {
  if (check.checked === 'authorization_server')
    return (
      `${name}: its authorization server answers${check.issuer === undefined ? '' : ` as ${check.issuer}`}. ` +
      'Each user’s own account is reached when they connect it.'
    );
  const missing = check.missingTools ?? [];
  return (
    `${name} answers and offers ${(check.tools ?? []).join(', ') || 'no tools'}.` +
    (missing.length > 0 ? ` Exposed but no longer offered (calls to them fail): ${missing.join(', ')}.` : '')
  );
}

const STATUS_ID = 'connectors-status';
const deleteId = (name: string) => `delete-${name}`;
const confirmDeleteId = (name: string) => `confirm-delete-${name}`;

function ToolList({ tools }: { readonly tools: Connector['tools'] }) {
  return (
    <ul class="plain">
      {tools.map((tool) => (
        <li key={tool.name}>
          <code>{tool.agentToolName}</code>: {tool.roles.join(', ')}
          {tool.requiresApproval && ' · requires approval'}
        </li>
      ))}
    </ul>
  );
}

export function ConnectorsView() {
  const { query } = useLocation();
  const { data, refusal, reload } = useApiData((api) => api.GET('/v1/connectors'), []);
  const { run, busy, refusal: actionRefusal } = useApiAction();
  const [confirming, setConfirming] = useState<string>();
  const [failed, setFailed] = useState<{ readonly name: string; readonly check: ConnectorCheck }>();
  const [status, setStatus] = useState<string>(
    query.registered === undefined ? '' : `Registered ${query.registered}.`,
  );

  const test = async (name: string) => {
    setStatus('');
    setFailed(undefined);
    const done = await run((api) => api.POST('/v1/connectors/{name}/test', { params: { path: { name } } }));
    if (done?.data === undefined) return;
    if (done.data.ok) setStatus(checkPassed(name, done.data));
    else setFailed({ name, check: done.data });
  };

  const remove = async (name: string) => {
    setConfirming(undefined);
    setFailed(undefined);
    const done = await run((api) => api.DELETE('/v1/connectors/{name}', { params: { path: { name } } }));
    if (done !== undefined) {
      setStatus(`Deleted ${name}.`);
      reload();
    }
    // The row's buttons are gone (deleted) or back to Delete (refused): the message says which.
    focusSoon(done === undefined ? deleteId(name) : STATUS_ID);
  };

  return (
    <section class="tenant-admin" aria-labelledby="connectors-heading">
      <h1 id="connectors-heading">Connectors</h1>
      <p>
        <a href={registerConnectorPath()}>Register a connector</a>
      </p>
      {refusal && <ApiError refusal={refusal} />}
      {actionRefusal && <ApiError refusal={actionRefusal} />}
      <Status id={STATUS_ID}>{status}</Status>
      {failed && <CheckFailure name={failed.name} check={failed.check} />}
      {data && (
        <table>
          <caption>Connectors</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Auth</th>
              <th scope="col">Tools: roles</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.connectors.map((connector) => (
              <tr key={connector.name}>
                <th scope="row">
                  <a href={connectorPath(connector.name)}>{connector.name}</a>
                  {connector.description !== undefined && <div class="hint">{connector.description}</div>}
                </th>
                <td class="wrap">{connector.url}</td>
                <td>{connector.auth.type}</td>
                <td>
                  <ToolList tools={connector.tools} />
                </td>
                <td class="actions">
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Test connection to ${connector.name}`}
                    onClick={() => test(connector.name)}
                  >
                    Test connection
                  </button>
                  {confirming === connector.name ? (
                    <>
                      <button
                        type="button"
                        id={confirmDeleteId(connector.name)}
                        disabled={busy}
                        onClick={() => remove(connector.name)}
                      >
                        Delete {connector.name} now
                      </button>
                      <button
                        type="button"
                        onClick={() => {
                          setConfirming(undefined);
                          focusSoon(deleteId(connector.name));
                        }}
                      >
                        Keep it
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      id={deleteId(connector.name)}
                      aria-label={`Delete ${connector.name}`}
                      onClick={() => {
                        setConfirming(connector.name);
                        focusSoon(confirmDeleteId(connector.name));
                      }}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data?.connectors.length === 0 && <p>No connectors yet.</p>}
    </section>
  );
}
