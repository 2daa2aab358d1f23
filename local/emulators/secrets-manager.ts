/** A tiny Secrets Manager: GetSecretValue (awsJson1.1) for the secrets the template declares. */
import { randomUUID } from 'node:crypto';
import type { ParsedRequest } from '../front-door/iam-request.js';
import { requestedSecretId } from '../front-door/secrets-request.js';
import { type EmulatorResponse, jsonResponse, namedJsonError } from './emulator-response.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly value: string;
  readonly versionId: string;
  readonly createdDate: number;
}

export class SecretsManagerEmulator {
  private readonly secrets: StoredSecret[] = [];

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** Stores a secret under its ARN and name. */
  put(arn: string, name: string, value: string): void {
    this.secrets.push({ arn, name, value, versionId: randomUUID(), createdDate: Date.now() / 1000 });
  }

  /** The ARN IAM evaluates for a SecretId (ARN or name), whether or not the secret exists. */
  arnFor(secretId: string): string {
    return (
      this.find(secretId)?.arn ??
      (secretId.startsWith('arn:')
        ? secretId
        : `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${secretId}`)
    );
  }

  handle(request: ParsedRequest): EmulatorResponse {
    const secret = this.find(requestedSecretId(request));
    if (secret === undefined) {
      return namedJsonError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
        CONTENT_TYPE,
      );
    }
    return jsonResponse(
      200,
      {
        ARN: secret.arn,
        Name: secret.name,
        SecretString: secret.value,
        VersionId: secret.versionId,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.createdDate,
      },
      CONTENT_TYPE,
    );
  }

  private find(secretId: string): StoredSecret | undefined {
    return this.secrets.find((secret) => secret.arn === secretId || secret.name === secretId);
  }
}
