/** The API's refusal, announced to assistive technology: its message and stable error code. */
export interface ApiRefusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export function ApiError({ refusal }: { readonly refusal: ApiRefusal }) {
  return (
    <p role="alert">
      {refusal.message} (<code>{refusal.code}</code>
      {refusal.status === 0 ? '' : `, HTTP ${refusal.status}`})
    </p>
  );
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
