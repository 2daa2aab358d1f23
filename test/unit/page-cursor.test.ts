import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../lambdas/http/errors.js';
import { PageCursors } from '../../lambdas/http/page-cursor.js';

const cursors = new PageCursors('tenant-tag-secret');
const binding = { route: 'GET /v1/sessions/{id}/messages', tenantId: 'acme', userId: 'alice', scope: 's-1' };
const position = 'm#0190a0b0-0000-7000-8000-000000000000';
const issued = cursors.seal(binding, position);

describe('page cursors', () => {
  it('opens a cursor it issued for the same binding, to the same position', () => {
    expect(cursors.open(binding, issued)).toBe(position);
    expect(issued).not.toContain('alice');
    expect(issued).not.toContain('acme');
  });

  it.each([
    ['another route', { ...binding, route: 'GET /v1/sessions' }],
    ['another tenant', { ...binding, tenantId: 'acme2' }],
    ['another user', { ...binding, userId: 'bob' }],
    ['another session', { ...binding, scope: 's-2' }],
    ['no scope', { route: binding.route, tenantId: binding.tenantId, userId: binding.userId }],
  ])('refuses the cursor for %s', (_label, other) => {
    expect(() => cursors.open(other, issued)).toThrow(InvalidCursorError);
  });

  it('refuses a cursor sealed with another key', () => {
    expect(() => new PageCursors('another-secret').open(binding, issued)).toThrow(InvalidCursorError);
  });

  const [encoded = '', mac = ''] = issued.split('.');
  it.each([
    ['empty', ''],
    ['no mac', encoded],
    ['empty mac', `${encoded}.`],
    ['truncated mac', `${encoded}.${mac.slice(0, -2)}`],
    ['padded mac', `${encoded}.${mac}==`],
    ['tampered position', `${Buffer.from('m#0').toString('base64url')}.${mac}`],
    ['three parts', `${issued}.x`],
    ['not base64url', `${encoded}.${'!'.repeat(43)}`],
    ['random bytes', 'x9Zq.3'],
    ['unicode', `é.${mac}`],
    ['empty position', `.${mac}`],
    ['oversized position', `${Buffer.from('p'.repeat(5000)).toString('base64url')}.${mac}`],
  ])('refuses a %s cursor', (_label, cursor) => {
    expect(() => cursors.open(binding, cursor)).toThrow(InvalidCursorError);
  });

  it('maps a refusal to 400 invalid_cursor', () => {
    const error = new InvalidCursorError();
    expect([error.status, error.code]).toEqual([400, 'invalid_cursor']);
  });
});
