/**
 * The console's shell: loads config.json, finishes a sign-in at the callback, and routes between
 * the views with the History API (paths under the app's base; the host falls back to index.html).
 */
import { type BulkheadClient, createBulkheadClient } from '@bulkhead/client';
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type ConsoleConfig, loadConfig } from './config.js';
import { MeView } from './me-view.js';
import { CALLBACK_PATH, currentIdToken, finishSignIn, startSignIn } from './sign-in.js';
import { TenantsView } from './tenants-view.js';
import './style.css';

const BASE = import.meta.env.BASE_URL;
const VIEWS = [
  { path: `${BASE}`, label: 'Me' },
  { path: `${BASE}tenants`, label: 'Tenants' },
] as const;

function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = (next: string) => {
    history.pushState(null, '', next);
    setPath(next);
  };
  return [path, go];
}

function Shell({ api }: { readonly api: BulkheadClient }) {
  const [path, go] = usePath();
  return (
    <>
      <header>
        <strong>bulkhead console</strong>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map((view) => (
              <li key={view.path}>
                <a
                  href={view.path}
                  aria-current={path === view.path ? 'page' : undefined}
                  onClick={(event) => {
                    event.preventDefault();
                    go(view.path);
                  }}
                >
                  {view.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main>{path === `${BASE}tenants` ? <TenantsView api={api} /> : <MeView api={api} />}</main>
    </>
  );
}

function SignIn({ config }: { readonly config: ConsoleConfig }) {
  return (
    <main>
      <h1>bulkhead console</h1>
      <button type="button" onClick={() => startSignIn(config, location.pathname)}>
        Sign in
      </button>
    </main>
  );
}

function App({ config }: { readonly config: ConsoleConfig }) {
  const [signedIn, setSignedIn] = useState(currentIdToken() !== undefined);
  const [failure, setFailure] = useState<string>();
  const api = useMemo(
    () => createBulkheadClient({ baseUrl: config.apiUrl, getToken: () => currentIdToken() ?? '' }),
    [config],
  );
  useEffect(() => {
    if (location.pathname !== CALLBACK_PATH) return;
    finishSignIn(config, new URL(location.href)).then(
      (returnTo) => {
        history.replaceState(null, '', returnTo === CALLBACK_PATH ? BASE : returnTo);
        setSignedIn(true);
      },
      (err: unknown) => setFailure(err instanceof Error ? err.message : String(err)),
    );
  }, [config]);
  if (failure !== undefined) return <p role="alert">Sign-in failed: {failure}</p>;
  if (location.pathname === CALLBACK_PATH && !signedIn) return <p>Signing in…</p>;
  return signedIn ? <Shell api={api} /> : <SignIn config={config} />;
}

const root = document.getElementById('app');
if (root !== null)
  loadConfig().then(
    (config) => render(<App config={config} />, root),
    (err: unknown) =>
      render(<p role="alert">The console could not load its settings: {String(err)}</p>, root),
  );
