/** "Memory": the facts the agent remembers about this person (`GET/PUT /v1/memory`, `DELETE /v1/memory/{id}`). */
import type { Schemas } from '@bulkhead/client';
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { Status } from '../status.js';
import { useApiAction, useApiData } from '../use-api.js';
import { OneFieldForm } from './one-field-form.js';
import { type Column, RemovableRows } from './removable-rows.js';

type Fact = Schemas['MemoryFact'];

const COLUMNS: readonly Column<Fact>[] = [
  { heading: 'Fact', cell: (stored) => stored.fact },
  {
    heading: 'Since',
    cell: (stored) => (
      <time dateTime={stored.createdAt}>{new Date(stored.createdAt).toLocaleDateString()}</time>
    ),
  },
];

export function MemoryView() {
  const { data, refusal, reload } = useApiData((api) => api.GET('/v1/memory'), []);
  const change = useApiAction();
  const [fact, setFact] = useState('');
  const [done, setDone] = useState('');

  async function remember(text: string) {
    if (await change.run((api) => api.PUT('/v1/memory', { body: { fact: text } }))) {
      setFact('');
      setDone(`Remembered: ${text}`);
      reload();
    }
  }

  const facts = data?.facts;
  return (
    <section aria-labelledby="memory-heading" class="you">
      <h1 id="memory-heading">Memory</h1>
      <p>Facts the agent remembers about you and uses in every conversation.</p>
      <OneFieldForm
        id="new-fact"
        label="New fact"
        value={fact}
        onValue={setFact}
        submit="Remember"
        busy={change.busy}
        onSubmit={remember}
      />
      <Status>{done}</Status>
      {change.refusal && <ApiError refusal={change.refusal} />}
      {refusal && <ApiError refusal={refusal} />}
      {facts && (
        <RemovableRows
          caption="Remembered facts"
          columns={COLUMNS}
          rows={facts}
          keyOf={(stored) => stored.id}
          remove="Forget"
          removeName={(stored) => `Forget “${stored.fact}”`}
          action={change}
          call={(api, { id }) => api.DELETE('/v1/memory/{id}', { params: { path: { id } } })}
          onRemoved={(stored) => {
            setDone(`Forgot: ${stored.fact}`);
            reload();
          }}
        />
      )}
      {facts?.length === 0 && <p>Nothing remembered yet.</p>}
    </section>
  );
}
