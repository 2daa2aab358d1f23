/**
 * "Documents": the documents the agent may search for this person — the tenant's and their own
 * private ones (`GET /v1/documents`) — uploading a text file read in the browser
 * (`POST /v1/documents`), deleting one (`DELETE /v1/documents/{id}`), and searching them
 * (`POST /v1/search`).
 */
import type { operations, Schemas } from '@bulkhead/client';
import type { TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { Status } from '../status.js';
import { useApiAction, useApiData } from '../use-api.js';
import { OneFieldForm } from './one-field-form.js';
import { type Column, RemovableRows } from './removable-rows.js';

type StoredDocument = Schemas['DocumentSummary'];
type Visibility = Schemas['NewDocument']['visibility'];
type Matches = operations['searchDocuments']['responses'][200]['content']['application/json']['matches'];

/** A file's name without its extension, as the document's default title. */
const titleOf = (fileName: string) => fileName.replace(/\.[^.]+$/, '');

interface UploadFormProps {
  /** An upload starts: what was said about an earlier one no longer applies. */
  readonly onSend: () => void;
  readonly onUploaded: (title: string) => void;
}

/** A refused upload leaves the form as it was, so the person can change it (e.g. "Visible to") and retry. */
function UploadForm({ onSend, onUploaded }: UploadFormProps) {
  const upload = useApiAction();
  const [file, setFile] = useState<File>();
  const [title, setTitle] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('private');

  async function send(event: TargetedEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    if (file === undefined) return;
    const content = await file.text();
    const body = { title: title.trim() || titleOf(file.name), content, visibility };
    onSend();
    if (await upload.run((api) => api.POST('/v1/documents', { body }))) {
      form.reset();
      setFile(undefined);
      setTitle('');
      // form.reset() showed the default choice again: the state follows it.
      setVisibility('private');
      onUploaded(body.title);
    }
  }

  return (
    <form onSubmit={send} aria-labelledby="upload-heading" class="stacked-form">
      <h2 id="upload-heading">Upload a text file</h2>
      <label for="document-file">Text or Markdown file</label>
      <input
        id="document-file"
        type="file"
        accept=".txt,.md,.markdown,text/plain,text/markdown"
        required
        onChange={(event) => {
          const chosen = event.currentTarget.files?.[0];
          setFile(chosen);
          if (chosen !== undefined && title === '') setTitle(titleOf(chosen.name));
        }}
      />
      <label for="document-title">Title</label>
      <input id="document-title" value={title} onInput={(event) => setTitle(event.currentTarget.value)} />
      <label for="document-visibility">Visible to</label>
      <select
        id="document-visibility"
        value={visibility}
        onChange={(event) => setVisibility(event.currentTarget.value as Visibility)}
      >
        <option value="private">only me</option>
        <option value="tenant">everyone in my tenant</option>
      </select>
      <button type="submit" disabled={upload.busy || file === undefined}>
        Upload
      </button>
      {upload.refusal && (
        <>
          <ApiError refusal={upload.refusal} />
          <p>Nothing was uploaded. Your file and choices are kept: change them and upload again.</p>
        </>
      )}
    </form>
  );
}

function SearchForm() {
  const search = useApiAction();
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<Matches>();

  async function send(text: string) {
    const done = await search.run((api) => api.POST('/v1/search', { body: { query: text } }));
    setMatches(done?.data?.matches);
  }

  return (
    <div>
      <OneFieldForm
        id="search-query"
        heading="Search"
        label="Search query"
        search
        value={query}
        onValue={setQuery}
        submit="Search"
        busy={search.busy}
        onSubmit={send}
      />
      {search.refusal && <ApiError refusal={search.refusal} />}
      {matches?.length === 0 && <p>No passage matches.</p>}
      {matches && matches.length > 0 && (
        <ol aria-label="Search results" class="plain">
          {matches.map((match) => (
            <li key={`${match.documentId}#${match.chunk}`} class="card">
              <strong>{match.title}</strong> <span>(score {match.score.toFixed(2)})</span>
              <p>{match.text}</p>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

const COLUMNS: readonly Column<StoredDocument>[] = [
  { heading: 'Title', cell: (document) => document.title },
  { heading: 'Visible to', cell: (document) => (document.visibility === 'private' ? 'only me' : 'tenant') },
  { heading: 'Passages', cell: (document) => document.chunks },
  {
    heading: 'Added',
    cell: (document) => (
      <time dateTime={document.createdAt}>{new Date(document.createdAt).toLocaleDateString()}</time>
    ),
  },
];

export function DocumentsView() {
  const { data, refusal, reload } = useApiData(
    (api) => api.GET('/v1/documents', { params: { query: { limit: 100 } } }),
    [],
  );
  const remove = useApiAction();
  const [done, setDone] = useState('');

  const documents = data?.documents;
  return (
    <section aria-labelledby="documents-heading" class="you">
      <h1 id="documents-heading">Documents</h1>
      <p>What the agent may search and cite for you: your tenant's documents and your private ones.</p>
      <Status>{done}</Status>
      {refusal && <ApiError refusal={refusal} />}
      {remove.refusal && <ApiError refusal={remove.refusal} />}
      {documents && (
        <RemovableRows
          caption="Documents"
          columns={COLUMNS}
          rows={documents}
          keyOf={(document) => document.id}
          remove="Delete"
          removeName={(document) => `Delete “${document.title}”`}
          action={remove}
          call={(api, { id }) => api.DELETE('/v1/documents/{id}', { params: { path: { id } } })}
          onRemoved={(document) => {
            setDone(`Deleted ${document.title}`);
            reload();
          }}
        />
      )}
      <div class="two-columns">
        <UploadForm
          onSend={() => setDone('')}
          onUploaded={(title) => {
            setDone(`Uploaded ${title}`);
            reload();
          }}
        />
        <SearchForm />
      </div>
    </section>
  );
}
