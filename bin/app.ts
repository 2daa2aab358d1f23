/** CDK app entry for `cdk synth` / `cdk deploy` (configuration comes from CDK context). */
import { buildBulkheadApp } from '../lib/bulkhead-app.js';

buildBulkheadApp();
