/**
 * The chat view's fold of `POST /v1/chat/stream` events into one answer: text deltas add up and
 * `done` settles them, a waiting call gets its arguments from the approval, and a refusal — from
 * the API before the stream, in an `error` event, or a broken stream — ends the answer.
 */
import { BulkheadApiError, BulkheadStreamError, type ChatStreamEvent } from '@bulkhead/client';
import { describe, expect, it } from 'vitest';
import { STARTED, withEvent, withFailure } from '../../packages/console/src/you/chat-turn.js';

const fold = (events: readonly ChatStreamEvent[]) => events.reduce(withEvent, STARTED);

describe('an answer built from the chat stream', () => {
  it('adds up text deltas, lists tool calls, and settles on done with the citations', () => {
    const citation = { documentId: 'd1', title: 'Handbook', chunk: 0 };
    const streaming = fold([
      { event: 'tool', data: { name: 'search_documents', status: 'success' } },
      { event: 'text', data: { text: 'Anvils ' } },
      { event: 'text', data: { text: 'ship' } },
    ]);
    expect(streaming).toMatchObject({ text: 'Anvils ship', finished: false, citations: [] });

    const done = withEvent(streaming, {
      event: 'done',
      data: {
        sessionId: '00000000-0000-4000-8000-000000000000',
        reply: 'Anvils ship on Tuesdays.',
        toolCalls: [{ name: 'search_documents', status: 'success' }],
        citations: [citation],
        usage: { inputTokens: 1, outputTokens: 1 },
      },
    });
    expect(done).toMatchObject({ text: 'Anvils ship on Tuesdays.', finished: true, citations: [citation] });
    expect(done.tools).toEqual([{ name: 'search_documents', status: 'success' }]);
  });

  it('gives a call waiting for approval the arguments the approval shows, and only that call', () => {
    const approval = {
      id: 'a1',
      tool: 'tracker__close_ticket',
      input: { id: 'T-1' },
      reason: 'needs approval',
      expiresAt: '2026-12-01T00:00:00.000Z',
    };
    const turn = fold([
      { event: 'tool', data: { name: 'tracker__list_tickets', status: 'success' } },
      { event: 'tool', data: { name: 'tracker__close_ticket', status: 'pending_approval' } },
      { event: 'approval', data: { approval } },
    ]);
    expect(turn.approval).toEqual(approval);
    expect(turn.tools).toEqual([
      { name: 'tracker__list_tickets', status: 'success' },
      { name: 'tracker__close_ticket', status: 'pending_approval', input: { id: 'T-1' } },
    ]);
  });

  it('ends with the refusal of an error event, of the API, or of a broken stream', () => {
    const error = { error: { code: 'budget_exceeded', message: 'spent', requestId: 'r1' } };
    expect(withEvent(STARTED, { event: 'error', data: error })).toMatchObject({
      finished: true,
      refusal: { status: 0, code: 'budget_exceeded', message: 'spent' },
    });
    expect(withFailure(STARTED, new BulkheadApiError(429, error)).refusal).toEqual({
      status: 429,
      code: 'budget_exceeded',
      message: 'spent',
    });
    expect(withFailure(STARTED, new BulkheadStreamError('cut off')).refusal).toEqual({
      status: 0,
      code: 'stream_broken',
      message: 'cut off',
    });
    expect(withFailure(STARTED, new TypeError('Failed to fetch')).refusal?.code).toBe('unreachable');
  });
});
