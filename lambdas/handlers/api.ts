/** Lambda entry of the tenant API (`/v1/...`), pooled or tenant-isolated (silo tier). */
import { readServiceConfig } from '../config.js';
import { environmentBindingFrom } from '../http/environment-binding.js';
import { createApiHandler } from '../routes/api-routes.js';
import { ServiceRuntime } from '../service-runtime.js';

const config = readServiceConfig();
const runtime = new ServiceRuntime(config);
const environmentBinding = environmentBindingFrom(process.env);

export const handler = createApiHandler(runtime, {
  corsOrigins: config.corsOrigins,
  ...(environmentBinding === undefined ? {} : { environmentBinding }),
});
