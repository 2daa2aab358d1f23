/**
 * The web console's response headers — security and caching — and its paths, in one place for
 * both of its hosts: CloudFront's response-headers policies in AWS (lib/console-hosting.ts) and
 * the local host that plays it (local/console-server.ts). No CDK import here: the local host
 * loads this at every start.
 */

/** The origins the console reaches besides its own; in AWS some are CloudFormation tokens. */
export interface ConsoleOrigins {
  /** What the app fetches: the APIs, and the sign-in's discovery and token endpoints. */
  readonly connect: readonly string[];
  /** Where a form may be submitted besides the console itself: the sign-in. */
  readonly formAction: readonly string[];
}

/**
 * Only the console's own scripts and styles (the Vite build needs no inline code), calls only to
 * the APIs and the sign-in, no framing, no plugins, no `<base>` elsewhere.
 */
export function consoleContentSecurityPolicy(origins: ConsoleOrigins): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ['connect-src', "'self'", ...origins.connect].join(' '),
    ['form-action', "'self'", ...origins.formAction].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join('; ');
}

/** The other headers every console response carries (HSTS too, in AWS: it means nothing over http). */
export const CONSOLE_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/** How long browsers keep to https for the console's domain once they have seen it (HSTS). */
export const CONSOLE_HSTS_SECONDS = 31_536_000;

/** Vite's directory for files whose names carry their content hash (`build.assetsDir`). */
export const HASHED_ASSETS_DIRECTORY = 'assets/';
/** Hashed files are cached by browsers for a year, never revalidated: a new build has new names. */
export const HASHED_ASSETS_CACHE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, config.json, the app's routes): browsers ask again each time. */
export const ENTRY_CACHE = 'no-cache';

/** Where the console lives on its origin (Vite's `base`, packages/console/vite.config.ts). */
export const CONSOLE_BASE_PATH = '/console/';
/** Where the sign-in returns with the code (packages/console/src/sign-in.ts). */
export const CONSOLE_CALLBACK_PATH = `${CONSOLE_BASE_PATH}callback`;
