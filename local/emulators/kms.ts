/**
 * A small KMS (awsJson1.1). Symmetric keys: Encrypt and Decrypt with real AES-256-GCM, the
 * encryption context bound to the ciphertext as additional authenticated data, as KMS does — so
 * decrypting under another context fails (InvalidCiphertextException) even where IAM would let
 * the call through. The ciphertext names its key, so Decrypt needs no KeyId and the front door
 * can ask IAM about the right key. Asymmetric `ECC_NIST_P256` keys: Sign, Verify and GetPublicKey
 * with real ECDSA P-256 over SHA-256 (DER signatures, SubjectPublicKeyInfo public keys, as KMS
 * returns them); only `MessageType: RAW` is signed here (KMS hashes the message itself).
 */
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
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

/** The signing key spec the emulator knows, and the one algorithm it signs with. */
const SIGNING_KEY_SPEC = 'ECC_NIST_P256';
const SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/** A P-256 key pair whose private scalar is the 32 bytes of key material (persisted like a symmetric key's). */
function signingKeyFrom(material: Buffer): { privateKey: KeyObject; publicKey: KeyObject } {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(material);
  const point = ecdh.getPublicKey();
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33, 65).toString('base64url'),
  };
  return {
    privateKey: createPrivateKey({ key: { ...jwk, d: material.toString('base64url') }, format: 'jwk' }),
    publicKey: createPublicKey({ key: jwk, format: 'jwk' }),
  };
}

export class KmsEmulator {
  /** Symmetric key material by key ARN. */
  private readonly keys = new Map<string, Buffer>();
  /** Asymmetric signing keys by key ARN. */
  private readonly signingKeys = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();
  /** Keys scheduled for deletion: unusable (KMSInvalidStateException), their material gone. */
  private readonly pendingDeletion = new Set<string>();
  /** Alias ARN → key ARN. */
  private readonly aliases = new Map<string, string>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** Holds 32 bytes of key material for a key of `keySpec` (`SYMMETRIC_DEFAULT` or `ECC_NIST_P256`). */
  addKey(arn: string, material: Buffer, keySpec = 'SYMMETRIC_DEFAULT'): void {
    if (material.length !== 32) throw new RangeError('KMS key material is 32 bytes');
    if (keySpec === SIGNING_KEY_SPEC) this.signingKeys.set(arn, signingKeyFrom(material));
    else if (keySpec === 'SYMMETRIC_DEFAULT') this.keys.set(arn, material);
    else throw new RangeError(`the local KMS has no ${keySpec} keys`);
  }

  /** Schedules a key's deletion (CloudFormation deleting a stack's key): from now on it is disabled. */
  scheduleKeyDeletion(arn: string): void {
    this.keys.delete(arn);
    this.signingKeys.delete(arn);
    this.pendingDeletion.add(arn);
  }

  /** Points an alias (`alias/...`) at a key. */
  addAlias(aliasName: string, keyArn: string): void {
    this.aliases.set(this.arnOf(aliasName), keyArn);
  }

  deleteAlias(aliasName: string): void {
    this.aliases.delete(this.arnOf(aliasName));
  }

  /** The key ARN IAM evaluates: Encrypt's KeyId (id, ARN or alias), Decrypt's ciphertext's key. */
  keyArnOf(request: KmsRequest): string {
    if (request.operation === 'Decrypt') return openBlob(request.body.CiphertextBlob)?.keyArn ?? '*';
    const arn = this.arnOf(String(request.body.KeyId ?? ''));
    return this.aliases.get(arn) ?? arn;
  }

  /** A key id or alias name as an ARN (ARNs pass as they are). */
  private arnOf(keyId: string): string {
    if (keyId.startsWith('arn:')) return keyId;
    const resource = keyId.startsWith('alias/') ? keyId : `key/${keyId}`;
    return `arn:aws:kms:${this.region}:${this.accountId}:${resource}`;
  }

  /** The error for a key that has no usable material: pending deletion, or not there at all. */
  private unusable(arn: string): EmulatorResponse {
    return this.pendingDeletion.has(arn)
      ? namedJsonError(400, 'KMSInvalidStateException', `${arn} is pending deletion.`, CONTENT_TYPE)
      : namedJsonError(400, 'NotFoundException', 'no such key', CONTENT_TYPE);
  }

  handle(request: ParsedRequest): EmulatorResponse {
    const parsed = kmsRequest(request);
    switch (parsed.operation) {
      case 'Encrypt':
        return this.encrypt(parsed);
      case 'Decrypt':
        return this.decrypt(parsed);
      case 'Sign':
        return this.sign(parsed);
      case 'Verify':
        return this.verify(parsed);
      case 'GetPublicKey':
        return this.publicKey(parsed);
    }
  }

  /** The signing key a request names, or the error KMS gives for a missing or wrong-usage key. */
  private signingKey(
    request: KmsRequest,
  ): { arn: string; privateKey: KeyObject; publicKey: KeyObject } | EmulatorResponse {
    const arn = this.keyArnOf(request);
    const key = this.signingKeys.get(arn);
    if (key !== undefined) return { arn, ...key };
    return this.keys.has(arn)
      ? namedJsonError(400, 'InvalidKeyUsageException', 'the key is not a signing key', CONTENT_TYPE)
      : this.unusable(arn);
  }

  /** The RAW message of Sign/Verify (1 to 4096 bytes), or the error KMS gives. */
  private static message(request: KmsRequest): Buffer | EmulatorResponse {
    if (request.body.SigningAlgorithm !== SIGNING_ALGORITHM)
      return namedJsonError(
        400,
        'ValidationException',
        `SigningAlgorithm must be ${SIGNING_ALGORITHM}`,
        CONTENT_TYPE,
      );
    if ((request.body.MessageType ?? 'RAW') !== 'RAW')
      return namedJsonError(
        400,
        'ValidationException',
        'the local KMS signs RAW messages only',
        CONTENT_TYPE,
      );
    const message =
      typeof request.body.Message === 'string' ? Buffer.from(request.body.Message, 'base64') : undefined;
    if (message === undefined || message.length === 0 || message.length > MAX_PLAINTEXT_BYTES)
      return namedJsonError(400, 'ValidationException', 'Message must be 1 to 4096 bytes', CONTENT_TYPE);
    return message;
  }

  private sign(request: KmsRequest): EmulatorResponse {
    const key = this.signingKey(request);
    if (!('arn' in key)) return key;
    const message = KmsEmulator.message(request);
    if (!Buffer.isBuffer(message)) return message;
    const signature = sign('sha256', message, key.privateKey);
    return jsonResponse(
      200,
      { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: SIGNING_ALGORITHM },
      CONTENT_TYPE,
    );
  }

  private verify(request: KmsRequest): EmulatorResponse {
    const key = this.signingKey(request);
    if (!('arn' in key)) return key;
    const message = KmsEmulator.message(request);
    if (!Buffer.isBuffer(message)) return message;
    const signature =
      typeof request.body.Signature === 'string'
        ? Buffer.from(request.body.Signature, 'base64')
        : Buffer.alloc(0);
    // KMS answers an invalid signature with KMSInvalidSignatureException, not SignatureValid: false.
    if (!verify('sha256', message, key.publicKey, signature))
      return namedJsonError(400, 'KMSInvalidSignatureException', 'the signature is not valid', CONTENT_TYPE);
    return jsonResponse(
      200,
      { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: SIGNING_ALGORITHM },
      CONTENT_TYPE,
    );
  }

  private publicKey(request: KmsRequest): EmulatorResponse {
    const key = this.signingKey(request);
    if (!('arn' in key)) return key;
    return jsonResponse(
      200,
      {
        KeyId: key.arn,
        PublicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        KeySpec: SIGNING_KEY_SPEC,
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: [SIGNING_ALGORITHM],
      },
      CONTENT_TYPE,
    );
  }

  private encrypt(request: KmsRequest): EmulatorResponse {
    const keyArn = this.keyArnOf(request);
    const material = this.keys.get(keyArn);
    if (material === undefined) return this.unusable(keyArn);
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
    if (sealed === undefined) return invalidCiphertext();
    const material = this.keys.get(sealed.keyArn);
    if (material === undefined)
      return this.pendingDeletion.has(sealed.keyArn) ? this.unusable(sealed.keyArn) : invalidCiphertext();
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
