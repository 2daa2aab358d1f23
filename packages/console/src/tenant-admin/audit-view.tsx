/**
 * "Audit trail" (`GET /v1/audit`, oldest first, a page at a time) as a table, with filters by kind,
 * outcome and action over the records loaded so far (the API pages the trail but does not filter
 * it), and "Verify" (`GET /v1/audit/verify`): every chain and signed digest checked by the API,
 * its verdict shown — or, when the trail is broken, the first problem it found, as an alert.
 */
import type { operations, Schemas } from '@bulkhead/client';
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { Choice } from '../choice.js';
import { Status } from '../status.js';
import { TextField } from '../text-field.js';
import { useApiAction } from '../use-api.js';
import { usePagedList } from '../use-paged-list.js';
import { allKeys } from './all-keys.js';

type AuditRecord = Schemas['AuditRecord'];
/** What `GET /v1/audit/verify` answers. */
type Verdict = operations['verifyAudit']['responses'][200]['content']['application/json'];

const KINDS = allKeys<AuditRecord['kind']>({
  tool_call: 0,
  data_write: 0,
  data_delete: 0,
  admin_action: 0,
  access_denied: 0,
});
const OUTCOMES = allKeys<AuditRecord['outcome']>({
  attempted: 0,
  succeeded: 0,
  refused: 0,
  failed: 0,
  denied: 0,
});
const PAGE_SIZE = 100;

interface Filters {
  readonly kind: string;
  readonly outcome: string;
  readonly action: string;
}

const matches = (record: AuditRecord, filters: Filters) =>
  (filters.kind === '' || record.kind === filters.kind) &&
  (filters.outcome === '' || record.outcome === filters.outcome) &&
  record.action.includes(filters.action.trim());

/** A trail that verifies, in words (the status message). */
const verifiedText = (verdict: Verdict) =>
  `Verified: ${verdict.records ?? 0} records on their chains, ${verdict.digests ?? 0} signed digests` +
  `${verdict.unsignedRecords ? `, ${verdict.unsignedRecords} newer records chained but not yet signed` : ''}.`;

/** Why the trail does not verify (an alert). */
function VerdictFailure({ verdict }: { readonly verdict: Verdict }) {
  const where = [
    verdict.chain === undefined ? undefined : `chain ${verdict.chain}`,
    verdict.expectedSeq === undefined ? undefined : `expected record ${verdict.expectedSeq}`,
    verdict.digest === undefined ? undefined : `digest ${verdict.digest}`,
  ].filter((part) => part !== undefined);
  return (
    <p role="alert">
      The trail does not verify: <code>{verdict.problem ?? 'unknown'}</code>
      {verdict.message === undefined ? '' : ` — ${verdict.message}`}
      {where.length === 0 ? '' : ` (${where.join(', ')})`}.
    </p>
  );
}

export function AuditView() {
  const trail = usePagedList(
    (api, cursor) =>
      api.GET('/v1/audit', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } }),
    (page) => page.records,
    [],
  );
  const verify = useApiAction();
  const [filters, setFilters] = useState<Filters>({ kind: '', outcome: '', action: '' });
  const [verdict, setVerdict] = useState<Verdict>();
  const records = trail.items ?? [];
  const shown = records.filter((record) => matches(record, filters));

  return (
    <section class="tenant-admin" aria-labelledby="audit-heading">
      <h1 id="audit-heading">Audit trail</h1>
      <div class="verify">
        <button
          type="button"
          disabled={verify.busy}
          onClick={async () => setVerdict((await verify.run((api) => api.GET('/v1/audit/verify')))?.data)}
        >
          Verify the trail
        </button>
        {verify.refusal && <ApiError refusal={verify.refusal} />}
        {verdict && !verdict.ok && <VerdictFailure verdict={verdict} />}
        <Status>{verdict?.ok && verifiedText(verdict)}</Status>
      </div>
      <form class="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <Choice
          label="Kind"
          value={filters.kind}
          options={KINDS}
          empty="any"
          onChange={(kind) => setFilters({ ...filters, kind })}
        />
        <Choice
          label="Outcome"
          value={filters.outcome}
          options={OUTCOMES}
          empty="any"
          onChange={(outcome) => setFilters({ ...filters, outcome })}
        />
        <TextField
          label="Action contains"
          value={filters.action}
          onInput={(action) => setFilters({ ...filters, action })}
        />
      </form>
      {trail.refusal && <ApiError refusal={trail.refusal} />}
      {trail.items && (
        <>
          <p>
            {shown.length} of the {records.length} records loaded match, oldest first.
          </p>
          <table>
            <caption>Audit trail</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col">Action</th>
                <th scope="col">Resource</th>
                <th scope="col">Outcome</th>
                <th scope="col">Actor</th>
                <th scope="col">Chain · record</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((record) => (
                <tr key={`${record.chain}-${record.seq}`}>
                  <td>{record.at}</td>
                  <td>{record.kind}</td>
                  <td>{record.action}</td>
                  <td class="wrap">{record.resource}</td>
                  <td>{record.outcome}</td>
                  <td>
                    <code>{record.actor}</code>
                  </td>
                  <td>
                    {record.chain} · {record.seq}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {trail.more && (
            <button type="button" disabled={trail.busy} onClick={trail.loadMore}>
              Load more records
            </button>
          )}
        </>
      )}
    </section>
  );
}
