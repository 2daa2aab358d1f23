/** Lambda entry of the tenant API (`/v1/...`). */
import { readServiceConfig } from '../config.js';
import { createHttpHandler } from '../http/http-handler.js';
import { apiRouter } from '../routes/api-routes.js';
import { ServiceRuntime } from '../service-runtime.js';

const runtime = new ServiceRuntime(readServiceConfig());

export const handler = createHttpHandler({
  router: apiRouter(runtime),
  resolveContext: (event) => runtime.resolveContext(event),
});
