/** Lambda entry of the platform-operator API (`/v1/admin/...`). */
import { readServiceConfig } from '../config.js';
import { createControlHandler } from '../routes/control-routes.js';
import { ServiceRuntime } from '../service-runtime.js';

// Admin actions and jobs write into tenants outside any request hold: they read placement consistently.
const runtime = new ServiceRuntime(readServiceConfig(), undefined, { placement: 'consistent' });

export const handler = createControlHandler(runtime);
