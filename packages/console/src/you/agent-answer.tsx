/** One answer of the agent in the chat: its text, tool calls, a pending approval or connection, citations. */
import { ApiError } from '../api-error.js';
import type { AgentTurn, ToolCall } from './chat-turn.js';

const BASE = import.meta.env.BASE_URL;

const STATUS_TEXT: Readonly<Record<ToolCall['status'], string>> = {
  success: 'done',
  refused: 'refused by the platform',
  invalid: 'refused: invalid arguments',
  failed: 'failed',
  pending_approval: 'waiting for approval',
  connection_required: 'needs your connection',
};

export function AgentAnswer({ turn }: { readonly turn: AgentTurn }) {
  return (
    <div class="answer">
      {turn.tools.length > 0 && (
        <ul aria-label="Tool calls" class="tool-calls">
          {turn.tools.map((tool, index) => (
            <li key={`${index}-${tool.name}`}>
              <code>{tool.name}</code>
              {tool.input !== undefined && <code class="arguments">{JSON.stringify(tool.input)}</code>} —{' '}
              {STATUS_TEXT[tool.status]}
            </li>
          ))}
        </ul>
      )}
      {turn.approval && (
        <section class="notice" aria-label="Pending approval">
          <code>{turn.approval.tool}</code> waits for your approval ({turn.approval.reason}).{' '}
          <a href={`${BASE}approvals`}>Open the approvals inbox</a>
        </section>
      )}
      {turn.connection && (
        <section class="notice" aria-label="Connection required">
          <code>{turn.connection.connector}</code> needs your own account first.{' '}
          <a href={`${BASE}connections?connector=${encodeURIComponent(turn.connection.connector)}`}>
            Connect it
          </a>
        </section>
      )}
      <p class="reply">{turn.text || (turn.finished ? '' : '…')}</p>
      {turn.stopped && <p class="stopped">Stopped before the answer was complete.</p>}
      {turn.citations.length > 0 && (
        <section aria-label="Citations">
          <h3>Sources</h3>
          <ul>
            {turn.citations.map((citation) => (
              <li key={`${citation.documentId}#${citation.chunk}`}>
                {citation.title} (passage {citation.chunk + 1}) <code>{citation.documentId}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
      {turn.refusal && <ApiError refusal={turn.refusal} />}
    </div>
  );
}
