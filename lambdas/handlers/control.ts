/** Lambda entry of the platform-operator API (`/v1/admin/...`). */
import { readServiceConfig } from '../config.js';
import { createControlHandler } from '../routes/control-routes.js';
import { ServiceRuntime } from '../service-runtime.js';

// Admin actions and jobs write into tenants outside any request hold: they read placement consistently.
const config = readServiceConfig();
const runtime = new ServiceRuntime(config, undefined, { placement: 'consistent' });

export const handler = createControlHandler(runtime, { corsOrigins: config.corsOrigins });
