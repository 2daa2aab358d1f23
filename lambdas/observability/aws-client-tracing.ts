/**
 * X-Ray subsegments for AWS SDK calls (DynamoDB, STS, S3, S3 Vectors, Bedrock, KMS, Secrets Manager,
 * CloudFormation): every SDK client the functions build goes through `traced`, so a trace shows
 * where a request's time went. Powertools turns tracing off outside Lambda (no `AWS_EXECUTION_ENV`:
 * tests, the local cloud) or with `POWERTOOLS_TRACE_ENABLED=false`, and then `traced` returns the
 * client untouched.
 *
 * The X-Ray SDK would copy some call parameters into the subsegment (S3 object keys, table and
 * bucket names). Keys hold raw tenant and user ids and silo resources are named after their
 * tenant, so none are recorded (DESIGN invariant 6): a subsegment keeps the service, operation,
 * timing, status, request id and retries.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import xray from 'aws-xray-sdk-core';

xray.setAWSWhitelist({ services: {} });

// No automatic subsegments for plain HTTP calls: their URLs carry S3 keys (see telemetry.ts).
const sdkTracer = new Tracer({ captureHTTPsRequests: false });

/** Adds Powertools' X-Ray middleware to an AWS SDK v3 client (nothing when tracing is off); returns it. */
export function traced<Client>(client: Client): Client {
  return sdkTracer.captureAWSv3Client(client);
}
