/**
 * "Approvals": the tool calls waiting for this person's decision (`GET /v1/approvals`), each with
 * what the tool would do, approved or denied with `POST /v1/approvals/{id}`; the outcome of each
 * decision stays on screen after the inbox reloads.
 */
import type { operations, Schemas } from '@bulkhead/client';
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { useApiAction, useApiData } from '../use-api.js';
import { useFocusAfterRemoval } from './focus-after-removal.js';

type Decided = operations['decideApproval']['responses'][200]['content']['application/json'];
type Decision = Schemas['ApprovalDecision']['decision'];

const OUTCOME: Readonly<Record<Decided['toolCall']['status'], string>> = {
  success: 'it ran successfully',
  refused: 'the platform refused it',
  invalid: 'its arguments were invalid',
  failed: 'it failed',
  connection_required: 'it needs your connection first',
};

function outcomeOf(decided: Decided): string {
  return decided.decision === 'deny'
    ? `Denied ${decided.toolCall.name}: it did not run.`
    : `Approved ${decided.toolCall.name}: ${OUTCOME[decided.toolCall.status]}.`;
}

export function ApprovalsView() {
  const { data, refusal, reload } = useApiData((api) => api.GET('/v1/approvals'), []);
  const decide = useApiAction();
  const [outcomes, setOutcomes] = useState<readonly Decided[]>([]);
  const approvals = data?.approvals;
  const view = useRef<HTMLElement>(null);
  const decisions = useRef<HTMLUListElement>(null);
  // A decided card goes away with the button that had the focus: the next card's Approve takes it, or the decisions.
  const decidedAt = useFocusAfterRemoval(
    approvals,
    (approval) => approval.id,
    () =>
      Array.from(view.current?.querySelectorAll<HTMLElement>('article .actions > button:first-child') ?? []),
    () => decisions.current,
  );

  async function send(id: string, index: number, decision: Decision) {
    const done = await decide.run((api) =>
      api.POST('/v1/approvals/{id}', { params: { path: { id } }, body: { decision } }),
    );
    const decided = done?.data;
    if (decided !== undefined) {
      setOutcomes((current) => [decided, ...current]);
      decidedAt(id, index);
    }
    reload();
  }

  return (
    <section aria-labelledby="approvals-heading" class="you" ref={view}>
      <h1 id="approvals-heading">Approvals</h1>
      <p>Tool calls the agent asked to make for you that wait for your decision.</p>
      {refusal && <ApiError refusal={refusal} />}
      {decide.refusal && <ApiError refusal={decide.refusal} />}
      {/* Always there, so each decision added is announced; focusable once no card is left to focus. */}
      <ul role="status" aria-label="Decisions" class="plain" tabIndex={-1} ref={decisions}>
        {outcomes.map((decided) => (
          <li key={decided.id}>{outcomeOf(decided)}</li>
        ))}
      </ul>
      {approvals && approvals.length === 0 && <p>Nothing waits for your approval.</p>}
      {approvals?.map((approval, index) => (
        <article key={approval.id} aria-labelledby={`approval-${approval.id}`} class="card">
          <h2 id={`approval-${approval.id}`}>
            <code>{approval.tool}</code>
          </h2>
          <dl>
            <dt>Arguments</dt>
            <dd>
              <code>{JSON.stringify(approval.input)}</code>
            </dd>
            <dt>Why it waits</dt>
            <dd>{approval.reason}</dd>
            <dt>Expires</dt>
            <dd>
              <time dateTime={approval.expiresAt}>{new Date(approval.expiresAt).toLocaleString()}</time>
            </dd>
          </dl>
          <div class="actions">
            <button type="button" disabled={decide.busy} onClick={() => send(approval.id, index, 'approve')}>
              Approve
            </button>
            <button type="button" disabled={decide.busy} onClick={() => send(approval.id, index, 'deny')}>
              Deny
            </button>
          </div>
        </article>
      ))}
    </section>
  );
}
