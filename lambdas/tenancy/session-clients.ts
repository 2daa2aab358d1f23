/**
 * SDK clients bound to one tenant session's credentials.
 *
 * They live inside the TenantSession they belong to (the one cache of
 * per-session clients) and are created on first use. Endpoint and region come
 * from the standard SDK environment (`AWS_REGION`, `AWS_ENDPOINT_URL`), so the
 * same code runs in Lambda and against the local cloud.
 *
 * Every session's clients share one HTTP handler, so its keep-alive connections outlive any one
 * session: a new session (a new user, a vended one adopted) signs with its own credentials but
 * reuses the environment's open connections instead of a TLS handshake per service. SigV4 signs
 * each request, so a connection carries no identity.
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

/** One per execution environment, created with the first session client. */
let sharedHandler: NodeHttpHandler | undefined;

function connections(): NodeHttpHandler {
  sharedHandler ??= new NodeHttpHandler();
  return sharedHandler;
}

/** The production factory: real SDK clients with static session credentials, over shared connections, traced in X-Ray. */
export const sdkSessionClients: SessionClientFactory = {
  dynamodb: (credentials) => traced(new DynamoDBClient({ credentials, requestHandler: connections() })),
  s3: (credentials) => traced(new S3Client({ credentials, requestHandler: connections() })),
  s3vectors: (credentials) => traced(new S3VectorsClient({ credentials, requestHandler: connections() })),
  // Bedrock defaults to HTTP/2; HTTP/1.1 (the shared handler) works in Lambda and against the local stand-in alike.
  // maxAttempts 1: model calls are retried in ONE layer (resilience/model-fallback), never multiplied here.
  bedrock: (credentials) =>
    traced(new BedrockRuntimeClient({ credentials, maxAttempts: 1, requestHandler: connections() })),
  secretsManager: (credentials) =>
    traced(new SecretsManagerClient({ credentials, requestHandler: connections() })),
  kms: (credentials) => traced(new KMSClient({ credentials, requestHandler: connections() })),
};
