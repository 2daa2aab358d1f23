/**
 * A tiny Secrets Manager (awsJson1.1): GetSecretValue for the secrets the
 * template declares, and CreateSecret / PutSecretValue / DeleteSecret for the
 * secrets tenants keep (connector API keys). ARNs end in `-` and six random
 * characters, as AWS's do, so IAM patterns are evaluated on the real shape.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ParsedRequest } from '../front-door/iam-request.js';
import { secretRequest } from '../front-door/secrets-request.js';
import { type EmulatorResponse, jsonResponse, namedJsonError } from './emulator-response.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  value: string;
  versionId: string;
  readonly createdDate: number;
}

const notFound = (): EmulatorResponse =>
  namedJsonError(
    400,
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret.",
    CONTENT_TYPE,
  );

const invalid = (message: string): EmulatorResponse =>
  namedJsonError(400, 'InvalidParameterException', message, CONTENT_TYPE);

export class SecretsManagerEmulator {
  private readonly secrets: StoredSecret[] = [];
  /** Every value ever stored, replaced and deleted ones too: what the log-hygiene scan looks for. */
  private readonly everStored = new Set<string>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** Stores a secret under its ARN and name. */
  put(arn: string, name: string, value: string): void {
    this.secrets.push({ arn, name, value, versionId: randomUUID(), createdDate: Date.now() / 1000 });
    this.everStored.add(value);
  }

  /**
   * Every secret value this Secrets Manager has held, plus the values tests asked to watch (e.g.
   * OAuth tokens a test's authorization server issued): what scans must never find.
   */
  values(): string[] {
    return [...this.everStored];
  }

  /** The current value of a secret (by ARN or name), as GetSecretValue would answer it. */
  valueOf(secretId: string): string | undefined {
    return this.find(secretId)?.value;
  }

  /** The names of the secrets held now (what a raw listing shows). */
  names(): string[] {
    return this.secrets.map((secret) => secret.name);
  }

  /** Adds values scans must never find, though they were never stored here. */
  watch(values: readonly string[]): void {
    for (const value of values) if (value.length >= 8) this.everStored.add(value);
  }

  /** The ARN IAM evaluates for a SecretId (ARN or name), whether or not the secret exists. */
  arnFor(secretId: string): string {
    return (
      this.find(secretId)?.arn ??
      (secretId.startsWith('arn:') ? secretId : `${this.arnOfName(secretId)}-${randomSuffix()}`)
    );
  }

  handle(request: ParsedRequest): EmulatorResponse {
    const { operation, secretId, body } = secretRequest(request);
    const secret = this.find(secretId);
    switch (operation) {
      case 'CreateSecret': {
        if (secret !== undefined)
          return namedJsonError(400, 'ResourceExistsException', 'the secret already exists', CONTENT_TYPE);
        if (typeof body.SecretString !== 'string') return invalid('SecretString is required');
        const arn = `${this.arnOfName(secretId)}-${randomSuffix()}`;
        this.put(arn, secretId, body.SecretString);
        return this.describe(this.find(arn));
      }
      case 'PutSecretValue': {
        if (secret === undefined) return notFound();
        if (typeof body.SecretString !== 'string') return invalid('SecretString is required');
        secret.value = body.SecretString;
        secret.versionId = randomUUID();
        this.everStored.add(body.SecretString);
        return this.describe(secret);
      }
      case 'DeleteSecret': {
        if (secret === undefined) return notFound();
        // Deleted at once (as with ForceDeleteWithoutRecovery): the platform never needs the recovery window.
        this.secrets.splice(this.secrets.indexOf(secret), 1);
        return jsonResponse(
          200,
          { ARN: secret.arn, Name: secret.name, DeletionDate: Date.now() / 1000 },
          CONTENT_TYPE,
        );
      }
      case 'GetSecretValue': {
        if (secret === undefined) return notFound();
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
    }
  }

  private describe(secret: StoredSecret | undefined): EmulatorResponse {
    if (secret === undefined) return notFound();
    return jsonResponse(
      200,
      { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId },
      CONTENT_TYPE,
    );
  }

  private arnOfName(name: string): string {
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}`;
  }

  private find(secretId: string): StoredSecret | undefined {
    return this.secrets.find((secret) => secret.arn === secretId || secret.name === secretId);
  }
}

/** AWS appends `-` and six random characters to a secret's name to make its ARN. */
function randomSuffix(): string {
  return randomBytes(3).toString('hex');
}
