/** Lambda entry of the platform-operator API (`/v1/admin/...`). */
import { readServiceConfig } from '../config.js';
import { createControlHandler } from '../routes/control-routes.js';
import { ServiceRuntime } from '../service-runtime.js';

const runtime = new ServiceRuntime(readServiceConfig());

export const handler = createControlHandler(runtime);
