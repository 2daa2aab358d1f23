/** "Memory": the facts the agent remembers about this person (`GET/PUT /v1/memory`, `DELETE /v1/memory/{id}`). */
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { useApiAction, useApiData } from '../use-api.js';

export function MemoryView() {
  const { data, refusal, reload } = useApiData((api) => api.GET('/v1/memory'), []);
  const change = useApiAction();
  const [fact, setFact] = useState('');
  const [done, setDone] = useState<string>();

  async function remember(event: Event) {
    event.preventDefault();
    const text = fact.trim();
    if (text === '') return;
    if (await change.run((api) => api.PUT('/v1/memory', { body: { fact: text } }))) {
      setFact('');
      setDone(`Remembered: ${text}`);
      reload();
    }
  }

  async function forget(id: string, text: string) {
    if (await change.run((api) => api.DELETE('/v1/memory/{id}', { params: { path: { id } } }))) {
      setDone(`Forgot: ${text}`);
      reload();
    }
  }

  const facts = data?.facts;
  return (
    <section aria-labelledby="memory-heading" class="you">
      <h1 id="memory-heading">Memory</h1>
      <p>Facts the agent remembers about you and uses in every conversation.</p>
      <form onSubmit={remember} class="inline-form">
        <label for="new-fact">New fact</label>
        <input id="new-fact" value={fact} onInput={(event) => setFact(event.currentTarget.value)} />
        <button type="submit" disabled={change.busy}>
          Remember
        </button>
      </form>
      {done && <p role="status">{done}</p>}
      {change.refusal && <ApiError refusal={change.refusal} />}
      {refusal && <ApiError refusal={refusal} />}
      {facts && (
        <table>
          <caption>Remembered facts</caption>
          <thead>
            <tr>
              <th scope="col">Fact</th>
              <th scope="col">Since</th>
              <th scope="col" class="actions-column">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {facts.map((stored) => (
              <tr key={stored.id}>
                <td>{stored.fact}</td>
                <td>
                  <time dateTime={stored.createdAt}>{new Date(stored.createdAt).toLocaleDateString()}</time>
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Forget “${stored.fact}”`}
                    disabled={change.busy}
                    onClick={() => forget(stored.id, stored.fact)}
                  >
                    Forget
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {facts?.length === 0 && <p>Nothing remembered yet.</p>}
    </section>
  );
}
