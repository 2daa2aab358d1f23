/** The API's refusal, announced to assistive technology: its message and stable error code. */
export interface ApiRefusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export function ApiError({ refusal }: { readonly refusal: ApiRefusal }) {
  return (
    <p role="alert">
      {refusal.message} (<code>{refusal.code}</code>, HTTP {refusal.status})
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
