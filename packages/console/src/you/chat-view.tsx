/**
 * "Chat": talks to the agent through `POST /v1/chat/stream` (`streamChat`), showing the answer as
 * it arrives; `GET /v1/sessions` lists earlier conversations and `GET /v1/sessions/{id}/messages`
 * reopens one to continue it. Starting a new conversation, reopening one, Stop, or leaving the
 * view aborts the answer being streamed; chat-log.ts drops whatever of it still arrives.
 */
import { streamChat } from '@bulkhead/client';
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { useSession } from '../session.js';
import { useApiAction, useApiData } from '../use-api.js';
import { AgentAnswer } from './agent-answer.js';
import { chatLogAfter, EMPTY_LOG, type Entry } from './chat-log.js';
import { STARTED, withEvent, withFailure, withStop } from './chat-turn.js';

export function ChatView() {
  const { api } = useSession();
  const [log, change] = useReducer(chatLogAfter, EMPTY_LOG);
  const [message, setMessage] = useState('');
  const [streaming, setStreaming] = useState(false);
  const sessions = useApiData(
    (client) => client.GET('/v1/sessions', { params: { query: { limit: 20 } } }),
    [],
  );
  const reopen = useApiAction();
  /** Aborts the answer being streamed, if any. */
  const stream = useRef<AbortController | undefined>(undefined);
  const stop = () => stream.current?.abort();
  useEffect(() => stop, []);
  const messageField = useRef<HTMLTextAreaElement>(null);

  async function send(event: Event) {
    event.preventDefault();
    const text = message.trim();
    if (text === '' || streaming) return;
    const { conversation, sessionId } = log;
    const controller = new AbortController();
    stream.current = controller;
    setMessage('');
    setStreaming(true);
    let turn = STARTED;
    change({ kind: 'asked', conversation, text, turn });
    try {
      const body = sessionId === undefined ? { message: text } : { message: text, sessionId };
      for await (const chatEvent of streamChat(api, body, { signal: controller.signal })) {
        turn = withEvent(turn, chatEvent);
        const named = chatEvent.event === 'done' ? chatEvent.data.sessionId : undefined;
        change({ kind: 'answer', conversation, turn, sessionId: named });
      }
    } catch (err) {
      turn = controller.signal.aborted ? withStop(turn) : withFailure(turn, err);
      change({ kind: 'answer', conversation, turn });
    } finally {
      // A newer stream (the person moved on and sent again) keeps its own state.
      if (stream.current === controller) {
        stream.current = undefined;
        setStreaming(false);
      }
      sessions.reload();
    }
  }

  /** Leaves the conversation on screen (its answer stops) for a new one or the earlier session `id`. */
  function open(id?: string): number {
    stop();
    stream.current = undefined;
    setStreaming(false);
    change({ kind: 'open', sessionId: id });
    return log.conversation + 1;
  }

  async function continueSession(id: string) {
    const conversation = open(id);
    const done = await reopen.run((client) =>
      client.GET('/v1/sessions/{id}/messages', { params: { path: { id }, query: { limit: 100 } } }),
    );
    if (done?.data === undefined) return;
    const entries = done.data.messages.map(
      (stored): Entry =>
        stored.role === 'user'
          ? { role: 'user', text: stored.text }
          : { role: 'agent', turn: { ...STARTED, text: stored.text, finished: true } },
    );
    change({ kind: 'history', conversation, entries });
  }

  return (
    <section aria-labelledby="chat-heading" class="you chat">
      <h1 id="chat-heading">Chat</h1>
      <div class="chat-layout">
        <div>
          <ol class="conversation" aria-label="Conversation">
            {log.entries.map((entry, index) => (
              // Entries are only ever appended, or the last one replaced: the index is their identity.
              <li key={`${log.conversation}-${index}`} class={entry.role}>
                <strong>{entry.role === 'user' ? 'You' : 'Agent'}</strong>
                {entry.role === 'user' ? (
                  <p>{entry.text}</p>
                ) : (
                  // Only an answer arriving now is announced, not a reopened history.
                  <div
                    aria-live={entry.live ? 'polite' : undefined}
                    aria-busy={entry.live && !entry.turn.finished}
                  >
                    <AgentAnswer turn={entry.turn} />
                  </div>
                )}
              </li>
            ))}
          </ol>
          <form onSubmit={send} class="chat-form">
            <label for="chat-message">Message</label>
            <textarea
              id="chat-message"
              ref={messageField}
              rows={3}
              value={message}
              onInput={(event) => setMessage(event.currentTarget.value)}
            />
            <div class="actions">
              <button type="submit" disabled={streaming}>
                {streaming ? 'Answering…' : 'Send'}
              </button>
              {streaming && (
                <button
                  type="button"
                  onClick={() => {
                    stop();
                    // The Stop button goes away with the stream: the person carries on typing.
                    messageField.current?.focus();
                  }}
                >
                  Stop
                </button>
              )}
            </div>
          </form>
        </div>
        <aside aria-labelledby="sessions-heading">
          <h2 id="sessions-heading">Conversations</h2>
          <button type="button" onClick={() => open()}>
            New conversation
          </button>
          {sessions.refusal && <ApiError refusal={sessions.refusal} />}
          {reopen.refusal && <ApiError refusal={reopen.refusal} />}
          <ul aria-label="Earlier conversations">
            {sessions.data?.sessions.map((session) => (
              <li key={session.id}>
                <button
                  type="button"
                  aria-current={session.id === log.sessionId ? 'true' : undefined}
                  onClick={() => continueSession(session.id)}
                >
                  {session.title}
                </button>{' '}
                <time dateTime={session.updatedAt}>{new Date(session.updatedAt).toLocaleString()}</time>
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </section>
  );
}
