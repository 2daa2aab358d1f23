/**
 * SDK clients bound to one tenant session's credentials.
 *
 * They live inside the TenantSession they belong to (the one cache of
 * per-session clients) and are created on first use. Endpoint and region come
 * from the standard SDK environment (`AWS_REGION`, `AWS_ENDPOINT_URL`), so the
 * same code runs in Lambda and against the local cloud.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { traced } from '../observability/aws-client-tracing.js';

export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** Builds each kind of client from session credentials; tests pass clients that never touch the network. */
export interface SessionClientFactory {
  dynamodb(credentials: SessionCredentials): DynamoDBClient;
  s3(credentials: SessionCredentials): S3Client;
  s3vectors(credentials: SessionCredentials): S3VectorsClient;
  bedrock(credentials: SessionCredentials): BedrockRuntimeClient;
  secretsManager(credentials: SessionCredentials): SecretsManagerClient;
  kms(credentials: SessionCredentials): KMSClient;
}

/** The production factory: real SDK clients with static session credentials, traced in X-Ray. */
export const sdkSessionClients: SessionClientFactory = {
  dynamodb: (credentials) => traced(new DynamoDBClient({ credentials })),
  s3: (credentials) => traced(new S3Client({ credentials })),
  s3vectors: (credentials) => traced(new S3VectorsClient({ credentials })),
  // Bedrock defaults to HTTP/2; HTTP/1.1 works in Lambda and against the local stand-in alike.
  // maxAttempts 1: model calls are retried in ONE layer (resilience/model-fallback), never multiplied here.
  bedrock: (credentials) =>
    traced(new BedrockRuntimeClient({ credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() })),
  secretsManager: (credentials) => traced(new SecretsManagerClient({ credentials })),
  kms: (credentials) => traced(new KMSClient({ credentials })),
};
