/**
 * Every view of the console: its path under the app's base, and where the navigation lists it.
 * A view is reachable by its URL whoever is signed in — the API decides what they may see, and
 * a refusal is shown as the API's error. The navigation only lists the sections a person's roles
 * make useful.
 */
import type { AnyComponent } from 'preact';
import { MeView } from './me-view.js';
import { OPERATOR_VIEWS } from './operator/index.js';
import type { Session } from './session.js';
import { TENANT_ADMIN_VIEWS } from './tenant-admin/index.js';
import { YOU_VIEWS } from './you/index.js';

export type Section = 'You' | 'Tenant admin' | 'Operator';

/** Sections in the navigation's order, and who sees each listed. */
export const SECTIONS: readonly { readonly name: Section; readonly shown: (session: Session) => boolean }[] =
  [
    { name: 'You', shown: () => true },
    { name: 'Tenant admin', shown: (session) => session.has('admin') },
    { name: 'Operator', shown: (session) => session.has('operator') },
  ];

export interface View {
  /** Relative to the app's base, with `:name` parameters (given to the component as props). */
  readonly path: string;
  // biome-ignore lint/suspicious/noExplicitAny: each view declares its own route parameters as props.
  readonly component: AnyComponent<any>;
  readonly nav?: { readonly label: string; readonly section: Section };
  /**
   * The browser arrives here from another site (an authorization server's redirect), where the
   * console's in-memory tokens were lost: sign in again without asking for a click, and come back
   * with the query string intact.
   */
  readonly resumesSignIn?: boolean;
}

export const VIEWS: readonly View[] = [
  { path: '', component: MeView, nav: { label: 'Me', section: 'You' } },
  ...YOU_VIEWS,
  ...TENANT_ADMIN_VIEWS,
  ...OPERATOR_VIEWS,
];
