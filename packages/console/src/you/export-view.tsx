/** "Export my data": everything the platform keeps about this person (`GET /v1/me/export`), saved as a JSON file. */
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { saveFile } from '../download.js';
import { useSession } from '../session.js';
import { Status } from '../status.js';
import { useApiAction } from '../use-api.js';

export function ExportView() {
  const { me } = useSession();
  const exporter = useApiAction();
  const [done, setDone] = useState('');

  async function exportData() {
    const exported = (await exporter.run((api) => api.GET('/v1/me/export')))?.data;
    if (exported === undefined) return;
    const fileName = `bulkhead-export-${me.tenantId}-${me.userId}.json`;
    saveFile(fileName, JSON.stringify(exported, null, 2), 'application/json');
    setDone(
      `Saved ${fileName} — conversations: ${exported.sessions.length}, remembered facts: ${exported.memory.length}, ` +
        `documents: ${exported.documents.length}, connections: ${exported.connections.length}.`,
    );
  }

  return (
    <section aria-labelledby="export-heading" class="you">
      <h1 id="export-heading">Export my data</h1>
      <p>
        Everything the platform keeps about you — conversations, remembered facts, the documents you uploaded,
        pending approvals, connections (never their tokens) and this month's usage — as one JSON file.
      </p>
      <button type="button" disabled={exporter.busy} onClick={exportData}>
        Download my data (JSON)
      </button>
      <Status>{done}</Status>
      {exporter.refusal && <ApiError refusal={exporter.refusal} />}
    </section>
  );
}
