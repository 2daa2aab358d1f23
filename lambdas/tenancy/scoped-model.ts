/**
 * ScopedModel: Bedrock Converse through the tenant session's credentials, so
 * every model call is made — and billed, via the session — as that tenant.
 * The model id is fixed per instance (the tenant's model or the default);
 * callers cannot choose another.
 */
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  ConverseStreamCommand,
  type ConverseStreamCommandInput,
  type ConverseStreamCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import type { TenantSession } from './tenant-session.js';

export type ConverseRequest = Omit<ConverseCommandInput, 'modelId'>;
export type ConverseStreamRequest = Omit<ConverseStreamCommandInput, 'modelId'>;

export class ScopedModel {
  constructor(
    private readonly client: BedrockRuntimeClient,
    readonly modelId: string,
  ) {}

  /** The scoped model of a tenant session. */
  static of(session: TenantSession, modelId: string): ScopedModel {
    return new ScopedModel(session.bedrock, modelId);
  }

  converse(
    request: ConverseRequest,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<ConverseCommandOutput> {
    return this.client.send(new ConverseCommand({ ...request, modelId: this.modelId }), options);
  }

  converseStream(
    request: ConverseStreamRequest,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<ConverseStreamCommandOutput> {
    return this.client.send(new ConverseStreamCommand({ ...request, modelId: this.modelId }), options);
  }
}
