/** Lambda entry of the platform-operator API (`/v1/admin/...`). */
import { readServiceConfig } from '../config.js';
import { createHttpHandler } from '../http/http-handler.js';
import { controlRouter, requireControlAccess } from '../routes/control-routes.js';
import { ServiceRuntime } from '../service-runtime.js';

const runtime = new ServiceRuntime(readServiceConfig());

export const handler = createHttpHandler({
  router: controlRouter(runtime),
  resolveContext: (event) => runtime.resolveContext(event),
  authorize: requireControlAccess,
});
