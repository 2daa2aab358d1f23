/**
 * Where an authorization server sends the browser back after a person connected their account
 * (`/console/oauth/callback?code=…&state=…`): forwards `code` and `state` (or the server's `error`)
 * to `GET /v1/oauth/callback` with the person's token, and shows the connection the API made.
 * The console's tokens live in memory, so the shell signs in again before this view opens — the
 * view table marks it `resumesSignIn` and the sign-in returns here with the query intact. Once
 * read, the query is taken out of the address bar and the history (`history.replaceState`).
 */
import { useEffect } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError } from '../api-error.js';
import { useApiData } from '../use-api.js';

const BASE = import.meta.env.BASE_URL;

export function OAuthCallbackView() {
  const { query } = useLocation();
  const { code, state = '', iss, error, error_description } = query;
  // The code is single-use: it is redeemed once, when the view opens (a missing state is the API's 400 to show).
  const { data: connection, refusal } = useApiData(
    (api) =>
      api.GET('/v1/oauth/callback', { params: { query: { code, state, iss, error, error_description } } }),
    [],
  );
  // Read once: the single-use code and the state leave the address bar and the history.
  useEffect(() => history.replaceState(history.state, '', location.pathname), []);
  return (
    <section aria-labelledby="oauth-callback-heading" class="you">
      <h1 id="oauth-callback-heading">Connecting your account</h1>
      <p role="status">
        {connection
          ? `Connected ${connection.connector}${connection.scopes.length > 0 ? ` (${connection.scopes.join(' ')})` : ''}.`
          : refusal
            ? ''
            : 'Finishing the connection…'}
      </p>
      {refusal && <ApiError refusal={refusal} />}
      <p>
        <a href={`${BASE}connections`}>Back to your connections</a>
      </p>
    </section>
  );
}
