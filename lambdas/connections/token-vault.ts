/**
 * The token vault: a user's OAuth tokens sealed with KMS under the encryption context
 * {TenantId, UserId, ConnectorId} (DESIGN invariant 9), through the user's own tenant session.
 * The one policy lets that session use the key only with a context naming its own tenant and
 * user, and KMS binds the context to the ciphertext — so even a bug that read another user's
 * record (IAM's LeadingKeys already forbids it) could not open the token. Plaintext tokens live
 * only inside the call that needs them.
 */
import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import * as z from 'zod';
import { type KeyOwner, TENANT_TAG_KEY, USER_TAG_KEY } from '../tenancy/key-layout.js';

export const SealedTokensSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
});
export type SealedTokens = z.infer<typeof SealedTokensSchema>;

/** KMS encrypts at most 4 KiB directly; larger token sets are refused rather than truncated. */
const MAX_SEALED_BYTES = 4096;

export class TokenVault {
  constructor(
    private readonly kms: Pick<KMSClient, 'send'>,
    private readonly keyArn: string,
    private readonly owner: KeyOwner,
  ) {}

  /** The context every seal and open uses: exactly the keys the policy expects. */
  #context(connector: string): Record<string, string> {
    return {
      [TENANT_TAG_KEY]: this.owner.tenantId,
      [USER_TAG_KEY]: this.owner.userId,
      ConnectorId: connector,
    };
  }

  /** The sealed tokens, base64. */
  async seal(connector: string, tokens: SealedTokens): Promise<string> {
    const plaintext = Buffer.from(JSON.stringify(SealedTokensSchema.parse(tokens)), 'utf8');
    if (plaintext.length > MAX_SEALED_BYTES)
      throw new RangeError('the tokens are larger than the vault seals');
    const sealed = await this.kms.send(
      new EncryptCommand({
        KeyId: this.keyArn,
        Plaintext: plaintext,
        EncryptionContext: this.#context(connector),
      }),
    );
    if (sealed.CiphertextBlob === undefined) throw new Error('KMS returned no ciphertext');
    return Buffer.from(sealed.CiphertextBlob).toString('base64');
  }

  async open(connector: string, sealed: string): Promise<SealedTokens> {
    const opened = await this.kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(sealed, 'base64'),
        KeyId: this.keyArn,
        EncryptionContext: this.#context(connector),
      }),
    );
    if (opened.Plaintext === undefined) throw new Error('KMS returned no plaintext');
    return SealedTokensSchema.parse(JSON.parse(Buffer.from(opened.Plaintext).toString('utf8')));
  }
}
