/**
 * A refusal of the API as the console shows it (api-error.tsx renders it): kept apart from the
 * component so code without JSX — and its unit tests — can make one.
 */
export interface ApiRefusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** The refusal out of an openapi-fetch answer's `error` (every 4xx/5xx has the documented `Error` shape). */
export function refusalOf(
  response: Response,
  error: { readonly error: { readonly code: string; readonly message: string } } | undefined,
): ApiRefusal {
  return {
    status: response.status,
    code: error?.error.code ?? 'unknown',
    message: error?.error.message ?? response.statusText,
  };
}

/** The API could not be reached at all (offline, or the browser refused the answer: CORS). */
export function unreachable(err: unknown): ApiRefusal {
  return {
    status: 0,
    code: 'unreachable',
    message: `the API could not be reached: ${err instanceof Error ? err.message : String(err)}`,
  };
}
