/**
 * A small KMS (awsJson1.1): Encrypt and Decrypt with real AES-256-GCM under the template's keys,
 * the encryption context bound to the ciphertext as additional authenticated data, as KMS does —
 * so decrypting under another context fails (InvalidCiphertextException) even where IAM would
 * let the call through. The ciphertext names its key, so Decrypt needs no KeyId and the front
 * door can ask IAM about the right key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ParsedRequest } from '../front-door/iam-request.js';
import { type KmsRequest, kmsRequest } from '../front-door/kms-request.js';
import { type EmulatorResponse, jsonResponse, namedJsonError } from './emulator-response.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAGIC = Buffer.from('bhk1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** KMS encrypts at most 4 KiB directly. */
const MAX_PLAINTEXT_BYTES = 4096;

const invalidCiphertext = (): EmulatorResponse =>
  namedJsonError(
    400,
    'InvalidCiphertextException',
    'the ciphertext is invalid or its context differs',
    CONTENT_TYPE,
  );

/** The context as KMS authenticates it: order does not matter. */
function contextBytes(context: Readonly<Record<string, string>>): Buffer {
  return Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : 1))));
}

interface SealedBlob {
  readonly keyArn: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

function openBlob(base64: unknown): SealedBlob | undefined {
  if (typeof base64 !== 'string') return undefined;
  const blob = Buffer.from(base64, 'base64');
  if (blob.length < MAGIC.length + 2 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const arnLength = blob.readUInt16BE(MAGIC.length);
  const arnEnd = MAGIC.length + 2 + arnLength;
  if (blob.length < arnEnd + IV_BYTES + TAG_BYTES) return undefined;
  return {
    keyArn: blob.subarray(MAGIC.length + 2, arnEnd).toString('utf8'),
    iv: blob.subarray(arnEnd, arnEnd + IV_BYTES),
    tag: blob.subarray(arnEnd + IV_BYTES, arnEnd + IV_BYTES + TAG_BYTES),
    ciphertext: blob.subarray(arnEnd + IV_BYTES + TAG_BYTES),
  };
}

export class KmsEmulator {
  /** Key material by key ARN. */
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** Holds 32 bytes of key material for a key. */
  addKey(arn: string, material: Buffer): void {
    if (material.length !== 32) throw new RangeError('KMS key material is 32 bytes');
    this.keys.set(arn, material);
  }

  /** The key ARN IAM evaluates: Encrypt's KeyId (id, ARN or alias-free id), Decrypt's ciphertext's key. */
  keyArnOf(request: KmsRequest): string {
    if (request.operation === 'Decrypt') return openBlob(request.body.CiphertextBlob)?.keyArn ?? '*';
    const keyId = String(request.body.KeyId ?? '');
    return keyId.startsWith('arn:') ? keyId : `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`;
  }

  handle(request: ParsedRequest): EmulatorResponse {
    const parsed = kmsRequest(request);
    return parsed.operation === 'Encrypt' ? this.encrypt(parsed) : this.decrypt(parsed);
  }

  private encrypt(request: KmsRequest): EmulatorResponse {
    const keyArn = this.keyArnOf(request);
    const material = this.keys.get(keyArn);
    if (material === undefined) return namedJsonError(400, 'NotFoundException', 'no such key', CONTENT_TYPE);
    if (typeof request.body.Plaintext !== 'string')
      return namedJsonError(400, 'ValidationException', 'Plaintext is required', CONTENT_TYPE);
    const plaintext = Buffer.from(request.body.Plaintext, 'base64');
    if (plaintext.length === 0 || plaintext.length > MAX_PLAINTEXT_BYTES)
      return namedJsonError(400, 'ValidationException', 'Plaintext must be 1 to 4096 bytes', CONTENT_TYPE);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', material, iv);
    cipher.setAAD(contextBytes(request.encryptionContext));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const arn = Buffer.from(keyArn, 'utf8');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(arn.length);
    const blob = Buffer.concat([MAGIC, length, arn, iv, cipher.getAuthTag(), ciphertext]);
    return jsonResponse(
      200,
      { CiphertextBlob: blob.toString('base64'), KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      CONTENT_TYPE,
    );
  }

  private decrypt(request: KmsRequest): EmulatorResponse {
    const sealed = openBlob(request.body.CiphertextBlob);
    const material = sealed === undefined ? undefined : this.keys.get(sealed.keyArn);
    if (sealed === undefined || material === undefined) return invalidCiphertext();
    try {
      const decipher = createDecipheriv('aes-256-gcm', material, sealed.iv);
      decipher.setAAD(contextBytes(request.encryptionContext));
      decipher.setAuthTag(sealed.tag);
      const plaintext = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
      return jsonResponse(
        200,
        {
          Plaintext: plaintext.toString('base64'),
          KeyId: sealed.keyArn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        },
        CONTENT_TYPE,
      );
    } catch {
      return invalidCiphertext();
    }
  }
}
