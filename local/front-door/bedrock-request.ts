/** Bedrock Runtime Converse / ConverseStream / InvokeModel requests → IAM requests on the model ARN. */
import { profiledFoundationModel } from '../../lambdas/tenancy/model-ids.js';
import { type IamRequest, type ParsedRequest, UnrecognizedRequestError } from './iam-request.js';

const MODEL_OPERATIONS = ['converse', 'converse-stream', 'invoke', 'invoke-with-response-stream'] as const;
export type ModelOperation = (typeof MODEL_OPERATIONS)[number];

export interface ModelCall {
  readonly modelId: string;
  readonly operation: ModelOperation;
}

/** Reads `POST /model/<modelId>/<converse | converse-stream | invoke | invoke-with-response-stream>`. */
export function modelCallOf(request: ParsedRequest): ModelCall {
  const match = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(
    request.rawPath,
  );
  const operation = MODEL_OPERATIONS.find((candidate) => candidate === match?.[2]);
  if (request.method !== 'POST' || match?.[1] === undefined || operation === undefined) {
    throw new UnrecognizedRequestError(`Bedrock ${request.method} ${request.rawPath} is not recognised`);
  }
  try {
    return { modelId: decodeURIComponent(match[1]), operation };
  } catch {
    throw new UnrecognizedRequestError('model id is not valid percent-encoding');
  }
}

const STREAMING_OPERATIONS: ReadonlySet<ModelOperation> = new Set([
  'converse-stream',
  'invoke-with-response-stream',
]);

export function bedrockIamRequests(request: ParsedRequest, region: string, accountId: string): IamRequest[] {
  const call = modelCallOf(request);
  return [
    {
      // The streaming operations are one IAM action, as in Bedrock's authorization reference.
      action: STREAMING_OPERATIONS.has(call.operation)
        ? 'bedrock:InvokeModelWithResponseStream'
        : 'bedrock:InvokeModel',
      resource: modelArn(call.modelId, region, accountId),
      context: {},
    },
  ];
}

/** A model id as IAM sees it: ARNs as given, cross-region profile ids as inference profiles, else a foundation model. */
export function modelArn(modelId: string, region: string, accountId: string): string {
  if (modelId.startsWith('arn:')) return modelId;
  if (profiledFoundationModel(modelId) !== undefined) {
    return `arn:aws:bedrock:${region}:${accountId}:inference-profile/${modelId}`;
  }
  return `arn:aws:bedrock:${region}::foundation-model/${modelId}`;
}
