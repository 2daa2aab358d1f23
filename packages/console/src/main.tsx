/**
 * The console's shell: loads config.json, finishes a sign-in at the callback, asks the API who
 * signed in (and which API serves them), then routes between the views (views.tsx) with the
 * History API — the host answers every path under the base with index.html.
 */
// First, so the sections' sheets (imported by views.tsx) come after it and may refine it.
import './style.css';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { ApiError, type ApiRefusal } from './api-error.js';
import { type ConsoleConfig, loadConfig } from './config.js';
import { openSession, type Session, SessionContext } from './session.js';
import { CALLBACK_PATH, currentIdToken, finishSignIn, signOut, startSignIn } from './sign-in.js';
import { SECTIONS, VIEWS } from './views.js';

const BASE = import.meta.env.BASE_URL;
/** A view's address as the router reports the current one (no trailing slash). */
const address = (view: { readonly path: string }) => (BASE + view.path).replace(/\/+$/, '');
/** Where a sign-in started on this page comes back to: the page with its query. */
const returnTo = () => location.pathname + location.search;
/** This page is one the browser returns to from another site, and signs in again without a click. */
const resumesSignIn = () =>
  VIEWS.some((view) => view.resumesSignIn === true && address(view) === location.pathname);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
const TITLE = 'bulkhead console';

/**
 * On every route: the page's title names the view (its `<h1>`), and — after a navigation, not on
 * the page's first load — the keyboard focus moves to that heading, so a screen reader says where
 * the person now is instead of staying on the link they followed.
 */
function RouteAnnouncer() {
  const { path } = useLocation();
  const navigated = useRef(false);
  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      const heading = document.querySelector<HTMLElement>('main h1');
      document.title = heading?.textContent ? `${heading.textContent} · ${TITLE}` : TITLE;
      if (navigated.current && heading !== null) {
        heading.tabIndex = -1;
        heading.focus();
      }
      navigated.current = true;
    });
    return () => cancelAnimationFrame(frame);
  }, [path]);
  return null;
}

/**
 * The routes. Keyed by the path: preact-iso would reuse a view's component when only its
 * parameters change (`tenants/a` → `tenants/b`), keeping state made from the other tenant.
 */
function Routes() {
  const { path } = useLocation();
  return (
    <Router key={path}>
      {[
        ...VIEWS.map((view) => <Route key={view.path} path={BASE + view.path} component={view.component} />),
        <Route key="" default component={NotFound} />,
      ]}
    </Router>
  );
}

function Navigation({ session }: { readonly session: Session }) {
  const { path } = useLocation();
  return (
    <nav aria-label="Views">
      {SECTIONS.filter((section) => section.shown(session)).map((section) => (
        <section key={section.name} aria-label={section.name}>
          <h2>{section.name}</h2>
          <ul>
            {VIEWS.filter((view) => view.nav?.section === section.name).map((view) => (
              <li key={view.path}>
                <a href={BASE + view.path} aria-current={path === address(view) ? 'page' : undefined}>
                  {view.nav?.label}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}

function NotFound() {
  return (
    <section aria-labelledby="not-found-heading">
      <h1 id="not-found-heading">No such page</h1>
      <p>
        <a href={BASE}>Back to the start</a>
      </p>
    </section>
  );
}

function Shell({ session, onSignOut }: { readonly session: Session; readonly onSignOut: () => void }) {
  return (
    <SessionContext.Provider value={session}>
      <LocationProvider scope={BASE}>
        <header>
          <strong>bulkhead console</strong>
          <span>
            {session.me.userId} · {session.me.tenantId}
          </span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        <div class="layout">
          <Navigation session={session} />
          <main>
            <Routes />
          </main>
          <RouteAnnouncer />
        </div>
      </LocationProvider>
    </SessionContext.Provider>
  );
}

function SignIn({ config }: { readonly config: ConsoleConfig }) {
  const [failure, setFailure] = useState<string>();
  return (
    <main>
      <h1>bulkhead console</h1>
      <button
        type="button"
        onClick={() => {
          setFailure(undefined);
          startSignIn(config, returnTo()).catch((err: unknown) => setFailure(messageOf(err)));
        }}
      >
        Sign in
      </button>
      {failure !== undefined && <p role="alert">Sign-in could not start: {failure}</p>}
    </main>
  );
}

function App({ config }: { readonly config: ConsoleConfig }) {
  const [session, setSession] = useState<Session>();
  const [refusal, setRefusal] = useState<ApiRefusal>();
  const [failure, setFailure] = useState<string>();
  const [signedIn, setSignedIn] = useState(currentIdToken() !== undefined);
  useEffect(() => {
    if (location.pathname !== CALLBACK_PATH) return;
    finishSignIn(config, new URL(location.href)).then(
      (returnTo) => {
        history.replaceState(null, '', returnTo === CALLBACK_PATH ? BASE : returnTo);
        setSignedIn(true);
      },
      (err: unknown) => setFailure(messageOf(err)),
    );
  }, [config]);
  useEffect(() => {
    if (signedIn || !resumesSignIn()) return;
    startSignIn(config, returnTo()).catch((err: unknown) => setFailure(messageOf(err)));
  }, [config, signedIn]);
  useEffect(() => {
    if (!signedIn) return;
    openSession(config, (err) => setFailure(messageOf(err))).then(
      (opened) => ('api' in opened ? setSession(opened) : setRefusal(opened)),
      (err: unknown) => setFailure(messageOf(err)),
    );
  }, [config, signedIn]);
  if (failure !== undefined) return <p role="alert">Sign-in failed: {failure}</p>;
  if (refusal !== undefined) return <ApiError refusal={refusal} />;
  if (session !== undefined)
    return (
      <Shell
        session={session}
        onSignOut={() => {
          signOut();
          setSession(undefined);
          setSignedIn(false);
          history.replaceState(null, '', BASE);
        }}
      />
    );
  if (signedIn || location.pathname === CALLBACK_PATH || resumesSignIn()) return <p>Signing in…</p>;
  return <SignIn config={config} />;
}

const root = document.getElementById('app');
if (root !== null)
  loadConfig().then(
    (config) => render(<App config={config} />, root),
    (err: unknown) =>
      render(<p role="alert">The console could not load its settings: {String(err)}</p>, root),
  );
