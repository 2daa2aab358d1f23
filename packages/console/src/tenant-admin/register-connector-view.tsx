/**
 * "Register a connector": an MCP server (Streamable HTTP) with its auth and tool role map,
 * `POST /v1/connectors`. The API discovers the tools before it stores anything, so an unreachable
 * URL, a refused one or a tool the server does not offer comes back as its 422, shown as an alert.
 */
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError } from '../api-error.js';
import { TextField } from '../text-field.js';
import { useApiAction } from '../use-api.js';
import { authBody, ConnectorAuthFields, NO_AUTH } from './connector-auth-fields.js';
import { connectorsPath } from './paths.js';
import { exposedTools, newToolRow, ToolRoleMap } from './tool-role-map.js';

/** The API's defaults for a connector's limits, shown so an admin sees what they get. */
const DEFAULT_TIMEOUT_MS = '10000';
const DEFAULT_MAX_RESPONSE_BYTES = '262144';

export function RegisterConnectorView() {
  const { route } = useLocation();
  const { run, busy, refusal } = useApiAction();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [url, setUrl] = useState('');
  const [auth, setAuth] = useState(NO_AUTH);
  const [tools, setTools] = useState([newToolRow(1)]);
  const [timeoutMs, setTimeoutMs] = useState(DEFAULT_TIMEOUT_MS);
  const [maxResponseBytes, setMaxResponseBytes] = useState(DEFAULT_MAX_RESPONSE_BYTES);

  const register = async (event: Event) => {
    event.preventDefault();
    const done = await run((api) =>
      api.POST('/v1/connectors', {
        body: {
          kind: 'mcp',
          name: name.trim(),
          url: url.trim(),
          ...(description.trim() === '' ? {} : { description: description.trim() }),
          auth: authBody(auth),
          tools: exposedTools(tools),
          timeoutMs: Number(timeoutMs),
          maxResponseBytes: Number(maxResponseBytes),
        },
      }),
    );
    if (done?.data !== undefined) route(connectorsPath(done.data.name));
  };

  return (
    <section class="tenant-admin" aria-labelledby="register-connector-heading">
      <h1 id="register-connector-heading">Register a connector</h1>
      <p>
        An MCP server your tenant’s agent may call. Its tools are discovered now; only the tools listed below
        are offered, each to the roles ticked.
      </p>
      <form class="admin-form" aria-labelledby="register-connector-heading" onSubmit={register}>
        <TextField
          label="Name"
          required
          hint="1–24 lowercase letters, digits and hyphens; the agent sees its tools as name__tool"
          value={name}
          onInput={setName}
        />
        <TextField label="Description" hint="optional" value={description} onInput={setDescription} />
        <TextField label="URL" type="url" required hint="the MCP endpoint" value={url} onInput={setUrl} />
        <ConnectorAuthFields draft={auth} onChange={setAuth} />
        <ToolRoleMap rows={tools} onChange={setTools} />
        <fieldset>
          <legend>Limits</legend>
          <TextField
            label="Timeout"
            type="number"
            hint="milliseconds"
            value={timeoutMs}
            onInput={setTimeoutMs}
          />
          <TextField
            label="Largest answer"
            type="number"
            hint="bytes"
            value={maxResponseBytes}
            onInput={setMaxResponseBytes}
          />
        </fieldset>
        {refusal && <ApiError refusal={refusal} />}
        <button type="submit" disabled={busy}>
          Register
        </button>
      </form>
    </section>
  );
}
