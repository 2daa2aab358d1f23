/**
 * Opaque pagination cursors, bound to the query and the caller. A cursor is
 * `<position>.<mac>`: the store's own position (a sort key, a continuation
 * token), base64url, and an HMAC-SHA256 over the binding — route, tenant,
 * user and the query's own scope (e.g. the session id) — and the position.
 * Only a cursor this platform issued for this exact query and caller opens;
 * anything else (random bytes, another route's, user's, tenant's or session's
 * cursor, a tampered or truncated one) is a 400 `invalid_cursor` and never
 * reaches the store.
 *
 * The key is derived (HKDF) from the tenant-tag secret the functions already
 * hold, under its own label, so cursors need no new secret or IAM grant.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from './errors.js';

const KEY_LABEL = 'bulkhead/cursor/v1';
const MAC_BYTES = 32;
/** Longest position a cursor carries (the query schema caps the whole cursor at 2048 characters). */
const MAX_POSITION_BYTES = 1024;

/** What a cursor is bound to: the listing and the caller (ids stay inside the MAC, never in the cursor). */
export interface CursorBinding {
  /** The listing, e.g. `GET /v1/sessions/{id}/messages`. */
  readonly route: string;
  readonly tenantId: string;
  readonly userId: string;
  /** The query's own scope: path parameters and filters (e.g. the session id). @default '' */
  readonly scope?: string;
}

export class PageCursors {
  readonly #key: Buffer;

  constructor(secret: string | Uint8Array) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), KEY_LABEL, MAC_BYTES));
  }

  /** The opaque cursor for a store position. */
  seal(binding: CursorBinding, position: string): string {
    const encoded = Buffer.from(position, 'utf8').toString('base64url');
    return `${encoded}.${this.#mac(binding, encoded).toString('base64url')}`;
  }

  /** The store position of a cursor issued for this binding; throws InvalidCursorError otherwise. */
  open(binding: CursorBinding, cursor: string): string {
    const [encoded, mac, extra] = cursor.split('.');
    if (encoded === undefined || mac === undefined || extra !== undefined) throw new InvalidCursorError();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== MAC_BYTES || given.toString('base64url') !== mac) throw new InvalidCursorError();
    if (!timingSafeEqual(given, this.#mac(binding, encoded))) throw new InvalidCursorError();
    const position = Buffer.from(encoded, 'base64url');
    if (position.length === 0 || position.length > MAX_POSITION_BYTES) throw new InvalidCursorError();
    return position.toString('utf8');
  }

  /** Opens `cursor` when given; undefined stays undefined (the first page). */
  openOptional(binding: CursorBinding, cursor: string | undefined): string | undefined {
    return cursor === undefined ? undefined : this.open(binding, cursor);
  }

  /** Seals `position` when given; undefined stays undefined (the last page). */
  sealOptional(binding: CursorBinding, position: string | undefined): string | undefined {
    return position === undefined ? undefined : this.seal(binding, position);
  }

  #mac(binding: CursorBinding, encodedPosition: string): Buffer {
    // JSON keeps the fields apart: no field can bleed into the next.
    const bound = JSON.stringify([
      binding.route,
      binding.tenantId,
      binding.userId,
      binding.scope ?? '',
      encodedPosition,
    ]);
    return createHmac('sha256', this.#key).update(bound).digest();
  }
}
