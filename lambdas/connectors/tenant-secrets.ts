/**
 * A tenant's own secrets (connector API keys) in Secrets Manager, reached
 * only through the tenant session: the one policy lets a session touch
 * `<prefix>/<its tenant>/*` and nothing else (DESIGN invariant 9). Values
 * never leave this module except to the connector call that sends them.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type TenantId, tenantSecretName } from '../tenancy/key-layout.js';
import { SecretMissingError } from './errors.js';

export class TenantSecrets {
  constructor(
    private readonly client: Pick<SecretsManagerClient, 'send'>,
    private readonly prefix: string,
    private readonly tenantId: TenantId,
  ) {}

  /** The secret's name for one of the tenant's `purpose` (e.g. `connectors`) entries. */
  nameOf(purpose: string, name: string): string {
    return tenantSecretName(this.prefix, this.tenantId, purpose, name);
  }

  /** Stores (or replaces) a value under a name. */
  async put(secretName: string, value: string): Promise<void> {
    try {
      await this.client.send(new CreateSecretCommand({ Name: secretName, SecretString: value }));
    } catch (err) {
      if (!(err instanceof ResourceExistsException)) throw err;
      await this.client.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: value }));
    }
  }

  /**
   * The value under a name. Throws SecretMissingError when there is none (a connector whose key is
   * gone cannot be called); Secrets Manager's own faults (throttling, 5xx) as they come.
   */
  async get(secretName: string): Promise<string> {
    const output = await this.client
      .send(new GetSecretValueCommand({ SecretId: secretName }))
      .catch((err: unknown) => {
        if (err instanceof ResourceNotFoundException)
          throw new SecretMissingError('the secret does not exist', { cause: err });
        throw err;
      });
    if (output.SecretString === undefined) throw new SecretMissingError('the secret has no string value');
    return output.SecretString;
  }

  /** Removes a value at once (no recovery window: a removed connector's key must not linger). */
  async delete(secretName: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({ SecretId: secretName, ForceDeleteWithoutRecovery: true }),
      );
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }
}
