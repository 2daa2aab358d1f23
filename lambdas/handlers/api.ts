/** Lambda entry of the tenant API (`/v1/...`). */
import { readServiceConfig } from '../config.js';
import { createApiHandler } from '../routes/api-routes.js';
import { ServiceRuntime } from '../service-runtime.js';

const runtime = new ServiceRuntime(readServiceConfig());

export const handler = createApiHandler(runtime);
