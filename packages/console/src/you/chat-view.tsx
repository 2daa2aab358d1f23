/**
 * "Chat": talks to the agent through `POST /v1/chat/stream` (`streamChat`), showing the answer as
 * it arrives; `GET /v1/sessions` lists earlier conversations and `GET /v1/sessions/{id}/messages`
 * reopens one to continue it.
 */
import { streamChat } from '@bulkhead/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { useSession } from '../session.js';
import { useApiAction, useApiData } from '../use-api.js';
import { AgentAnswer } from './agent-answer.js';
import { type AgentTurn, STARTED, withEvent, withFailure } from './chat-turn.js';

type Entry =
  | { readonly role: 'user'; readonly text: string }
  | { readonly role: 'agent'; readonly turn: AgentTurn };

export function ChatView() {
  const { api } = useSession();
  const [sessionId, setSessionId] = useState<string>();
  const [entries, setEntries] = useState<readonly Entry[]>([]);
  const [message, setMessage] = useState('');
  const [streaming, setStreaming] = useState(false);
  const sessions = useApiData(
    (client) => client.GET('/v1/sessions', { params: { query: { limit: 20 } } }),
    [],
  );
  const reopen = useApiAction();
  // An answer still streaming when the person leaves the view is not read any further.
  const leaving = useRef(new AbortController());
  useEffect(() => () => leaving.current.abort(), []);

  /** Replaces the last entry (the answer being streamed). */
  const answer = (turn: AgentTurn) =>
    setEntries((current) => [...current.slice(0, -1), { role: 'agent', turn }]);

  async function send(event: Event) {
    event.preventDefault();
    const text = message.trim();
    if (text === '' || streaming) return;
    setMessage('');
    setStreaming(true);
    let turn = STARTED;
    setEntries((current) => [...current, { role: 'user', text }, { role: 'agent', turn }]);
    try {
      const body = sessionId === undefined ? { message: text } : { message: text, sessionId };
      for await (const chatEvent of streamChat(api, body, { signal: leaving.current.signal })) {
        turn = withEvent(turn, chatEvent);
        if (chatEvent.event === 'done') setSessionId(chatEvent.data.sessionId);
        answer(turn);
      }
    } catch (err) {
      answer(withFailure(turn, err));
    } finally {
      setStreaming(false);
      sessions.reload();
    }
  }

  async function continueSession(id: string) {
    const done = await reopen.run((client) =>
      client.GET('/v1/sessions/{id}/messages', { params: { path: { id }, query: { limit: 100 } } }),
    );
    if (done?.data === undefined) return;
    setSessionId(id);
    setEntries(
      done.data.messages.map(
        (stored): Entry =>
          stored.role === 'user'
            ? { role: 'user', text: stored.text }
            : { role: 'agent', turn: { ...STARTED, text: stored.text, finished: true } },
      ),
    );
  }

  return (
    <section aria-labelledby="chat-heading" class="chat">
      <h1 id="chat-heading">Chat</h1>
      <div class="chat-layout">
        <div>
          <ol class="conversation" aria-label="Conversation" aria-live="polite" aria-busy={streaming}>
            {entries.map((entry, index) => (
              // Entries are only ever appended, or the last one replaced: the index is their identity.
              <li key={index} class={entry.role}>
                <strong>{entry.role === 'user' ? 'You' : 'Agent'}</strong>
                {entry.role === 'user' ? <p>{entry.text}</p> : <AgentAnswer turn={entry.turn} />}
              </li>
            ))}
          </ol>
          <form onSubmit={send} class="chat-form">
            <label for="chat-message">Message</label>
            <textarea
              id="chat-message"
              rows={3}
              value={message}
              onInput={(event) => setMessage(event.currentTarget.value)}
            />
            <button type="submit" disabled={streaming}>
              {streaming ? 'Answering…' : 'Send'}
            </button>
          </form>
        </div>
        <aside aria-labelledby="sessions-heading">
          <h2 id="sessions-heading">Conversations</h2>
          <button
            type="button"
            onClick={() => {
              setSessionId(undefined);
              setEntries([]);
            }}
          >
            New conversation
          </button>
          {sessions.refusal && <ApiError refusal={sessions.refusal} />}
          {reopen.refusal && <ApiError refusal={reopen.refusal} />}
          <ul aria-label="Earlier conversations">
            {sessions.data?.sessions.map((session) => (
              <li key={session.id}>
                <button
                  type="button"
                  aria-current={session.id === sessionId ? 'true' : undefined}
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
