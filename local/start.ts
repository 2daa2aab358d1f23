/**
 * `npm start`: the local cloud with demo data, until Ctrl-C.
 *
 * Options: local/start-options.ts; what it prints while running: local/console-output.ts.
 */
import { randomBytes } from 'node:crypto';
import { repoPath } from '../lib/repo-root.js';
import { buildConsole } from './console-build.js';
import { consoleOutput } from './console-output.js';
import { startConsoleServer } from './console-server.js';
import { startTicketTracker } from './demo-mcp/ticket-tracker.js';
import { DEMO_CONNECTOR, DEMO_PERSONAL_CONNECTOR, seedDemo } from './demo-seed.js';
import { DEMO_USERS } from './demo-users.js';
import { startOAuthServer } from './emulators/oauth-server.js';
import { startLocalCloud } from './local-cloud.js';
import { parseStartOptions, START_USAGE, type StartOptions } from './start-options.js';

let startOptions: StartOptions;
try {
  startOptions = parseStartOptions(process.argv.slice(2), process.env);
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n${START_USAGE}`);
  process.exit(2);
}
const { persist, modelServer, corsOrigins } = startOptions;
const output = consoleOutput({
  json: startOptions.json,
  colour: process.stdout.isTTY === true,
  write: (text) => process.stdout.write(text),
});
// The web console, on its own origin (the API allows it through CORS); config.json once the cloud is up.
await buildConsole();
const webConsole = await startConsoleServer();
const cloud = await startLocalCloud({
  runSchedules: true,
  consoleOrigin: webConsole.origin,
  ...output.cloudOptions,
  ...(persist ? { dataDir: repoPath('.local-data') } : {}),
  ...(modelServer === undefined ? {} : { modelServer }),
  ...(corsOrigins ? { context: { 'bulkhead:corsOrigins': corsOrigins } } : {}),
});
output.watch(cloud.functionLogs);
webConsole.configure({
  apiUrl: cloud.apiEndpoint,
  issuer: cloud.issuer.issuer,
  clientId: cloud.issuer.audience,
});
// The outside system acme's agent is connected to; its key lives only in acme's secret.
const trackerKey = randomBytes(24).toString('base64url');
const tracker = await startTicketTracker({ apiKey: trackerKey });
// Per-user OAuth: a real authorization server, and a tracker that accepts only its tokens (each user sees their own).
const DEMO_RESOURCE = 'urn:bulkhead:demo-tickets';
const authServer = await startOAuthServer({
  // The platform's callback, and the console's page that forwards to it with the user's token.
  redirectUris: [`${cloud.apiEndpoint}/v1/oauth/callback`, `${webConsole.origin}/console/oauth/callback`],
  resource: DEMO_RESOURCE,
});
const personalTracker = await startTicketTracker({
  oauth: { issuer: authServer.issuer, jwksUrl: authServer.jwksUrl, audience: DEMO_RESOURCE },
});

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the local cloud...`);
  Promise.all([
    cloud.stop(),
    webConsole.stop(),
    tracker.close(),
    personalTracker.close(),
    authServer.close(),
  ]).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

try {
  await seedDemo(
    cloud,
    { url: tracker.url, apiKey: trackerKey },
    { url: personalTracker.url, resource: DEMO_RESOURCE, server: authServer },
  );
} catch (err) {
  console.error('seeding the demo data failed', err);
  stop('seed failure');
}

const tokens = await Promise.all(
  DEMO_USERS.map(async (user) => ({ user, token: await cloud.issuer.mint(user) })),
);
// Since this process started (imports included), not since startLocalCloud was called.
const seconds = process.uptime().toFixed(1);
const streams = cloud.model.routes.some((route) => route.streaming);
console.log(`
bulkhead local cloud ready in ${seconds} s${persist ? ' (persisting to .local-data/)' : ''}
  API           ${cloud.apiEndpoint}
  OpenAPI       ${cloud.apiEndpoint}/v1/openapi.json   (no token; a typed client in packages/client)
  Silo API      ${cloud.siloApiEndpoint}   (tenant routes in one worker per tenant: Lambda tenant isolation)
  AWS endpoint  ${cloud.endpoint}   (AWS_ENDPOINT_URL; SigV4 + IAM enforced)
  Model         ${cloud.modelBackend}
  JWT issuer    ${cloud.issuer.issuer}   (JWKS ${cloud.issuer.jwksUrl})
  Web console   ${webConsole.url}   (sign in as any demo user name, e.g. olga the operator or alice)
  Sign in       ${cloud.issuer.authorizationUrl}   (code + PKCE S256, client_id ${cloud.issuer.audience}; development login: any demo user name)
  Demo MCP      ${tracker.url}   (a ticket tracker; acme's connector "${DEMO_CONNECTOR}")
  Demo OAuth    ${authServer.issuer}   (sign in as any demo user name; acme's per-user connector "${DEMO_PERSONAL_CONNECTOR}" → ${personalTracker.url})
  Inspector     ${cloud.inspectorEndpoint}/model/requests   (what the model was offered; /model/usage?tenantId=, /logs, /vectors/<bucket>/<index>)

Demo tokens (valid 1 h; mint more: curl -X POST ${cloud.issuer.issuer}/tokens -d '{"sub":"u1","tenantId":"acme","groups":["reader"]}'):`);
// `export NAME=value` lines, so the block can be pasted into a shell as it is.
for (const { user, token } of tokens)
  console.log(
    `\n# ${user.label} (${user.tenantId}/${user.sub})\nexport TOKEN_${user.sub.toUpperCase()}=${token}`,
  );
console.log(`
Try:
  curl -H "Authorization: Bearer $TOKEN_ALICE" ${cloud.apiEndpoint}/v1/me
  curl -H "Authorization: Bearer $TOKEN_ALICE" ${cloud.apiEndpoint}/v1/memory
  curl -X PUT -H "Authorization: Bearer $TOKEN_GINA" -H 'content-type: application/json' -d '{"fact":"likes tea"}' ${cloud.siloApiEndpoint}/v1/memory   # globex lives in its silo
  curl -X POST -H "Authorization: Bearer $TOKEN_ALICE" -H 'content-type: application/json' -d '{"message":"use tool search_documents {\\"query\\":\\"anvils\\"}"}' ${cloud.apiEndpoint}/v1/chat${
    streams
      ? `
  curl -N -X POST -H "Authorization: Bearer $TOKEN_ALICE" -H 'content-type: application/json' -d '{"message":"use tool search_documents {\\"query\\":\\"anvils\\"}"}' ${cloud.apiEndpoint}/v1/chat/stream`
      : ''
  }
  curl -X POST -H "Authorization: Bearer $TOKEN_ALICE" -H 'content-type: application/json' -d '{"message":"use tool ${DEMO_CONNECTOR}__list_tickets {}"}' ${cloud.apiEndpoint}/v1/chat
  curl -X POST -H "Authorization: Bearer $TOKEN_ADAM" -H 'content-type: application/json' -d '{"message":"use tool ${DEMO_CONNECTOR}__close_ticket {"id":"T-1"}"}' ${cloud.apiEndpoint}/v1/chat   # → pendingApproval
  curl -H "Authorization: Bearer $TOKEN_ADAM" ${cloud.apiEndpoint}/v1/approvals
  curl -X POST -H "Authorization: Bearer $TOKEN_ADAM" -H 'content-type: application/json' -d '{"decision":"approve"}' ${cloud.apiEndpoint}/v1/approvals/<id>
  curl -H "Authorization: Bearer $TOKEN_ADAM" ${cloud.apiEndpoint}/v1/connectors

Connect alice's own account (per-user OAuth, authorization code + PKCE):
  curl -X POST -H "Authorization: Bearer $TOKEN_ALICE" ${cloud.apiEndpoint}/v1/connectors/${DEMO_PERSONAL_CONNECTOR}/connect
  # open authorizeUrl in a browser, sign in as "alice" (any password), consent; the browser lands on
  # ${cloud.apiEndpoint}/v1/oauth/callback?code=…&state=… — forward that URL with alice's token:
  curl -H "Authorization: Bearer $TOKEN_ALICE" "<the URL the browser landed on>"
  curl -X POST -H "Authorization: Bearer $TOKEN_ALICE" -H 'content-type: application/json' -d '{"message":"use tool ${DEMO_PERSONAL_CONNECTOR}__list_tickets {}"}' ${cloud.apiEndpoint}/v1/chat
  curl -H "Authorization: Bearer $TOKEN_ALICE" ${cloud.apiEndpoint}/v1/me/connections
  curl -H "Authorization: Bearer $TOKEN_OLGA" ${cloud.apiEndpoint}/v1/admin/tenants/globex
  curl ${cloud.apiEndpoint}/v1/me            # 401

One line per request below (method, resource, status, latency, tenant tag); the functions' raw JSON
logs and metrics: npm start -- --json, or ${cloud.inspectorEndpoint}/logs. Ctrl-C stops everything.`);
output.ready();
