/** The API's refusal, announced to assistive technology: its message and stable error code. */
import type { ApiRefusal } from './api-refusal.js';

export { type ApiRefusal, refusalOf, unreachable } from './api-refusal.js';

export function ApiError({ refusal }: { readonly refusal: ApiRefusal }) {
  return (
    <p role="alert">
      {refusal.message} (<code>{refusal.code}</code>
      {refusal.status === 0 ? '' : `, HTTP ${refusal.status}`})
    </p>
  );
}
