/**
 * The two ways a view talks to the API: `useApiData` loads something when the view opens (and
 * again on `reload`), `useApiAction` sends what a person asked for. Either way an API refusal
 * comes back as an `ApiRefusal` for `<ApiError>`, never thrown.
 */
import type { BulkheadClient, ErrorBody } from '@bulkhead/client';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type ApiRefusal, refusalOf, unreachable } from './api-error.js';
import { useSession } from './session.js';

/** What openapi-fetch answers: the data, or the documented error body, and the response. */
export interface Answer<T> {
  readonly data?: T;
  readonly error?: ErrorBody;
  readonly response: Response;
}

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly refusal: ApiRefusal | undefined;
  reload(): void;
}

/** Calls `load` when the view opens and whenever `deps` change or `reload()` is called. */
export function useApiData<T>(
  load: (api: BulkheadClient) => Promise<Answer<T>>,
  deps: readonly unknown[],
): Loaded<T> {
  const { api } = useSession();
  const [data, setData] = useState<T>();
  const [refusal, setRefusal] = useState<ApiRefusal>();
  const [generation, setGeneration] = useState(0);
  // `load` is a new closure each render; `deps` says when what it reads changes.
  useEffect(() => {
    let current = true;
    load(api).then(
      ({ data: loaded, error, response }) => {
        if (!current) return;
        setRefusal(loaded === undefined ? refusalOf(response, error) : undefined);
        setData(loaded);
      },
      (err: unknown) => current && setRefusal(unreachable(err)),
    );
    return () => {
      current = false;
    };
  }, [api, generation, ...deps]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, refusal, reload };
}

/** A call the API accepted: its data (undefined for a 204). */
export interface Done<T> {
  readonly data: T | undefined;
}

export interface Action {
  /** Sends `call`; resolves to what the API accepted, or to undefined after setting `refusal`. */
  run<T>(call: (api: BulkheadClient) => Promise<Answer<T>>): Promise<Done<T> | undefined>;
  readonly busy: boolean;
  readonly refusal: ApiRefusal | undefined;
}

export function useApiAction(): Action {
  const { api } = useSession();
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<ApiRefusal>();
  const run = useCallback(
    async <T>(call: (client: BulkheadClient) => Promise<Answer<T>>): Promise<Done<T> | undefined> => {
      setBusy(true);
      try {
        const { data, error, response } = await call(api);
        setRefusal(response.ok ? undefined : refusalOf(response, error));
        return response.ok ? { data } : undefined;
      } catch (err) {
        setRefusal(unreachable(err));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [api],
  );
  return { run, busy, refusal };
}
