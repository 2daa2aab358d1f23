/**
 * The whole platform as `npm start` runs it: the local cloud, the web console on its own origin,
 * the demo MCP ticket tracker (acme's connector), the demo OAuth server with the per-user tracker
 * behind it, and the seeded demo tenants and people. `npm start` prints it; the console's browser
 * tests sign in to it, so they meet exactly what a person trying the platform meets.
 */
import { randomBytes } from 'node:crypto';
import { buildConsole } from './console-build.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';
import { startTicketTracker, type TicketTracker } from './demo-mcp/ticket-tracker.js';
import { seedDemo } from './demo-seed.js';
import { type DemoOAuthServer, startOAuthServer } from './emulators/oauth-server.js';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from './local-cloud.js';

/** The audience the per-user tracker accepts tokens for (the OAuth resource indicator). */
const DEMO_RESOURCE = 'urn:bulkhead:demo-tickets';

export interface DemoPlatform {
  readonly cloud: LocalCloud;
  readonly webConsole: ConsoleServer;
  /** The tracker acme's shared connector reaches with an API key only acme's secret holds. */
  readonly tracker: TicketTracker;
  /** The authorization server people connect their own tracker accounts with. */
  readonly authServer: DemoOAuthServer;
  /** The tracker that accepts only the authorization server's tokens (each user sees their own). */
  readonly personalTracker: TicketTracker;
  stop(): Promise<void>;
}

/**
 * Starts everything and seeds the demo. `cloud` is passed to the local cloud as it is, except the
 * console's origin, which this adds. If seeding fails, everything started is stopped again.
 */
export async function startDemoPlatform(cloudOptions: LocalCloudOptions = {}): Promise<DemoPlatform> {
  await buildConsole();
  const webConsole = await startConsoleServer();
  const cloud = await startLocalCloud({ ...cloudOptions, consoleOrigin: webConsole.origin });
  webConsole.configure({
    apiUrl: cloud.apiEndpoint,
    siloApiUrl: cloud.siloApiEndpoint,
    issuer: cloud.issuer.issuer,
    clientId: cloud.issuer.audience,
  });
  const trackerKey = randomBytes(24).toString('base64url');
  const tracker = await startTicketTracker({ apiKey: trackerKey });
  const authServer = await startOAuthServer({
    // The platform's callback, and the console's page that forwards to it with the person's token.
    redirectUris: [`${cloud.apiEndpoint}/v1/oauth/callback`, `${webConsole.origin}/console/oauth/callback`],
    resource: DEMO_RESOURCE,
  });
  const personalTracker = await startTicketTracker({
    oauth: { issuer: authServer.issuer, jwksUrl: authServer.jwksUrl, audience: DEMO_RESOURCE },
  });
  const platform: DemoPlatform = {
    cloud,
    webConsole,
    tracker,
    authServer,
    personalTracker,
    stop: async () => {
      await Promise.all([
        cloud.stop(),
        webConsole.stop(),
        tracker.close(),
        personalTracker.close(),
        authServer.close(),
      ]);
    },
  };
  try {
    await seedDemo(
      cloud,
      { url: tracker.url, apiKey: trackerKey },
      { url: personalTracker.url, resource: DEMO_RESOURCE, server: authServer },
    );
  } catch (err) {
    await platform.stop();
    throw new Error('seeding the demo data failed', { cause: err });
  }
  return platform;
}
