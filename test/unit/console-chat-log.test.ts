/**
 * The chat view's log of the conversation on screen: a stream's events are tagged with the
 * conversation they belong to, so once the person starts a new conversation or reopens another
 * one, late events of the stream they left change nothing — neither the entries shown nor the
 * session the next message goes to.
 */
import { describe, expect, it } from 'vitest';
import { chatLogAfter, EMPTY_LOG } from '../../packages/console/src/you/chat-log.js';
import { STARTED, withStop } from '../../packages/console/src/you/chat-turn.js';

const OLD_SESSION = '00000000-0000-4000-8000-000000000001';
const PICKED = '00000000-0000-4000-8000-000000000002';

describe('the chat log', () => {
  it('shows the answer being streamed and continues the session the API named', () => {
    const asked = chatLogAfter(EMPTY_LOG, { kind: 'asked', conversation: 0, text: 'hi', turn: STARTED });
    const answered = chatLogAfter(asked, {
      kind: 'answer',
      conversation: 0,
      turn: { ...STARTED, text: 'hello', finished: true },
      sessionId: OLD_SESSION,
    });
    expect(answered.sessionId).toBe(OLD_SESSION);
    expect(answered.entries).toEqual([
      { role: 'user', text: 'hi' },
      { role: 'agent', turn: { ...STARTED, text: 'hello', finished: true }, live: true },
    ]);
  });

  it('ignores the late events of a stream whose conversation the person left', () => {
    const asked = chatLogAfter(EMPTY_LOG, { kind: 'asked', conversation: 0, text: 'hi', turn: STARTED });
    const reopened = chatLogAfter(asked, { kind: 'open', sessionId: PICKED });
    expect(reopened).toEqual({ conversation: 1, sessionId: PICKED, entries: [] });
    const history = [{ role: 'user', text: 'earlier' } as const];
    const shown = chatLogAfter(reopened, { kind: 'history', conversation: 1, entries: history });

    const late = chatLogAfter(shown, {
      kind: 'answer',
      conversation: 0,
      turn: { ...STARTED, text: 'hello', finished: true },
      sessionId: OLD_SESSION,
    });
    expect(late).toBe(shown);
    expect(late.sessionId).toBe(PICKED);
    expect(chatLogAfter(shown, { kind: 'answer', conversation: 0, turn: withStop(STARTED) })).toBe(shown);
  });

  it('drops the history of a session the person left before it arrived, and keeps what was sent since', () => {
    const reopened = chatLogAfter(EMPTY_LOG, { kind: 'open', sessionId: PICKED });
    const fresh = chatLogAfter(reopened, { kind: 'open' });
    const history = [{ role: 'user', text: 'earlier' } as const];
    expect(chatLogAfter(fresh, { kind: 'history', conversation: 1, entries: history })).toBe(fresh);

    const asked = chatLogAfter(reopened, { kind: 'asked', conversation: 1, text: 'now', turn: STARTED });
    const loaded = chatLogAfter(asked, { kind: 'history', conversation: 1, entries: history });
    expect(loaded.entries.map((entry) => entry.role)).toEqual(['user', 'user', 'agent']);
  });

  it('keeps what a stopped answer had received, marked stopped', () => {
    expect(withStop({ ...STARTED, text: 'half' })).toMatchObject({
      text: 'half',
      finished: true,
      stopped: true,
    });
  });
});
