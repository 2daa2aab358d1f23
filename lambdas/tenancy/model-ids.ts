/**
 * Bedrock model ids as IAM and billing see them. A system-defined cross-Region inference
 * profile id (`us.amazon.nova-lite-v1:0`) is not a foundation model: IAM
 * authorizes the call on the profile's ARN in the calling Region, and then on
 * the foundation model in whichever Region of its geography serves it.
 */

/** Geography prefixes of Bedrock's system-defined cross-Region inference profiles. */
export const INFERENCE_PROFILE_GEOGRAPHIES = [
  'us',
  'us-gov',
  'eu',
  'apac',
  'jp',
  'au',
  'ca',
  'global',
] as const;

const PROFILE_ID = new RegExp(`^(?:${INFERENCE_PROFILE_GEOGRAPHIES.join('|')})\\.(.+)$`);

/** Whether a model id is a global cross-Region inference profile (any commercial Region may serve it). */
export function isGlobalProfile(modelId: string): boolean {
  return modelId.startsWith('global.');
}

/** The foundation model an inference profile id routes to; undefined for a foundation model id. */
export function profiledFoundationModel(modelId: string): string | undefined {
  return PROFILE_ID.exec(modelId)?.[1];
}
