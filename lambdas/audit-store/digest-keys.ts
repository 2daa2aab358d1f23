/**
 * The digest key through KMS: signing (the digester's own role only) and its public key (any
 * audit writer session), for the signed audit digests (audit/audit-digest.ts).
 */
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { DIGEST_SIGNING_ALGORITHM } from '../audit/audit-digest.js';
import type { DigestSigner } from '../audit/audit-digester.js';

/** The KMS signer: the digester's own role may use the digest key to sign, and nothing else may. */
export function kmsDigestSigner(kms: KMSClient, keyId: string): DigestSigner {
  return {
    keyId,
    async sign(text) {
      const output = await kms.send(
        new SignCommand({
          KeyId: keyId,
          Message: Buffer.from(text, 'utf8'),
          MessageType: 'RAW',
          SigningAlgorithm: DIGEST_SIGNING_ALGORITHM,
        }),
      );
      if (output.Signature === undefined) throw new Error('KMS Sign returned no signature');
      return Buffer.from(output.Signature).toString('base64');
    },
  };
}

/** The digest key's public key (DER SubjectPublicKeyInfo). */
export async function digestPublicKey(kms: KMSClient, keyId: string): Promise<Uint8Array> {
  const output = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (output.PublicKey === undefined) throw new Error('KMS GetPublicKey returned no key');
  return output.PublicKey;
}
