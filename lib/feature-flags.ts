/**
 * The CDK feature flags every bulkhead template is synthesized with (the platform's and the
 * silos'), whoever synthesizes it: the CDK CLI reads them from cdk.json, and so does this module,
 * for the in-process synths (the local cloud, the silo template, the tests). One list, in cdk.json.
 */
import cdkJson from '../cdk.json' with { type: 'json' };

/** cdk.json's context entries that are CDK feature flags (`@aws-cdk…`), not bulkhead settings. */
export const FEATURE_FLAGS: Readonly<Record<string, unknown>> = Object.freeze(
  Object.fromEntries(Object.entries(cdkJson.context).filter(([key]) => key.startsWith('@aws-cdk'))),
);
