/**
 * The HMAC key behind the opaque tenant tag, fetched once per execution
 * environment from Secrets Manager and kept in memory. A failed fetch is not
 * cached, so the next request retries instead of failing until a cold start.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TenantTagKeyError } from './errors.js';

/** Returns a loader that fetches the secret's string value on first call and reuses it. */
export function tenantTagKeyLoader(
  client: Pick<SecretsManagerClient, 'send'>,
  secretArn: string,
): () => Promise<string> {
  let key: Promise<string> | undefined;
  return () => {
    key ??= fetchKey(client, secretArn).catch((err: unknown) => {
      key = undefined;
      throw err;
    });
    return key;
  };
}

async function fetchKey(client: Pick<SecretsManagerClient, 'send'>, secretArn: string): Promise<string> {
  const output = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (output.SecretString === undefined || output.SecretString.length === 0) {
    throw new TenantTagKeyError('the tenant tag secret has no string value');
  }
  return output.SecretString;
}
