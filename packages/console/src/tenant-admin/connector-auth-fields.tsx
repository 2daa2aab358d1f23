/**
 * How a new connector authenticates, as the API's NewConnector schema allows: none, a tenant API
 * key (kept in the tenant's own secret, never shown again), or per-user OAuth (each user connects
 * their own account; the client secret, if any, is kept like an API key).
 */
import type { Schemas } from '@bulkhead/client';
import { useId } from 'preact/hooks';
import { TextField } from '../text-field.js';

export type ConnectorAuth = Schemas['NewConnector']['auth'];
type AuthType = ConnectorAuth['type'];

const AUTH_TYPES: readonly { readonly type: AuthType; readonly label: string }[] = [
  { type: 'none', label: 'None' },
  { type: 'api_key', label: 'API key (the tenant’s)' },
  { type: 'oauth_user', label: 'OAuth (each user connects their own account)' },
];

const authTypeOf = (value: string): AuthType =>
  AUTH_TYPES.find((candidate) => candidate.type === value)?.type ?? 'none';

/** Every field of every kind of auth, as typed; `authBody` keeps those of the chosen kind. */
export interface AuthDraft {
  readonly type: AuthType;
  readonly header: string;
  readonly scheme: 'bearer' | 'raw';
  readonly value: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly revocationUrl: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-separated. */
  readonly scopes: string;
  readonly resource: string;
}

export const NO_AUTH: AuthDraft = {
  type: 'none',
  header: 'authorization',
  scheme: 'bearer',
  value: '',
  authorizationUrl: '',
  tokenUrl: '',
  revocationUrl: '',
  issuer: '',
  clientId: '',
  clientSecret: '',
  scopes: '',
  resource: '',
};

/** The per-user OAuth fields, in the form's order. */
const OAUTH_FIELDS: readonly {
  readonly key:
    | 'authorizationUrl'
    | 'tokenUrl'
    | 'revocationUrl'
    | 'issuer'
    | 'clientId'
    | 'clientSecret'
    | 'scopes'
    | 'resource';
  readonly label: string;
  readonly type?: 'url' | 'password';
  readonly required?: boolean;
  readonly hint?: string;
}[] = [
  { key: 'authorizationUrl', label: 'Authorization URL', type: 'url', required: true },
  { key: 'tokenUrl', label: 'Token URL', type: 'url', required: true },
  { key: 'revocationUrl', label: 'Revocation URL', type: 'url', hint: 'optional' },
  { key: 'issuer', label: 'Issuer', hint: 'optional, when it differs from the token URL’s origin' },
  { key: 'clientId', label: 'Client id', required: true },
  {
    key: 'clientSecret',
    label: 'Client secret',
    type: 'password',
    hint: 'optional: leave empty for a public client (PKCE alone)',
  },
  { key: 'scopes', label: 'Scopes', hint: 'separated by spaces' },
  { key: 'resource', label: 'Resource', hint: 'optional: the access tokens’ audience (RFC 8707)' },
];

/** `{ [key]: value }` when something was typed, else nothing: empty optional fields are not sent. */
const ifTyped = <K extends string>(key: K, value: string): Partial<Record<K, string>> =>
  value.trim() === '' ? {} : ({ [key]: value.trim() } as Record<K, string>);

export function authBody(draft: AuthDraft): ConnectorAuth {
  switch (draft.type) {
    case 'none':
      return { type: 'none' };
    case 'api_key':
      return {
        type: 'api_key',
        header: draft.header.trim(),
        scheme: draft.scheme,
        ...ifTyped('value', draft.value),
      };
    case 'oauth_user':
      return {
        type: 'oauth_user',
        authorizationUrl: draft.authorizationUrl.trim(),
        tokenUrl: draft.tokenUrl.trim(),
        clientId: draft.clientId.trim(),
        scopes: draft.scopes.split(/\s+/).filter((scope) => scope !== ''),
        ...ifTyped('revocationUrl', draft.revocationUrl),
        ...ifTyped('issuer', draft.issuer),
        ...ifTyped('clientSecret', draft.clientSecret),
        ...ifTyped('resource', draft.resource),
      };
  }
}

interface AuthFieldsProps {
  readonly draft: AuthDraft;
  readonly onChange: (draft: AuthDraft) => void;
}

export function ConnectorAuthFields({ draft, onChange }: AuthFieldsProps) {
  const typeId = useId();
  const schemeId = useId();
  const set = (change: Partial<AuthDraft>) => onChange({ ...draft, ...change });
  return (
    <fieldset>
      <legend>Authentication</legend>
      <div class="field">
        <label for={typeId}>Auth</label>
        <select
          id={typeId}
          value={draft.type}
          onChange={(event) => set({ type: authTypeOf(event.currentTarget.value) })}
        >
          {AUTH_TYPES.map(({ type, label }) => (
            <option key={type} value={type}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {draft.type === 'api_key' && (
        <>
          <TextField
            label="API key"
            type="password"
            required
            hint="kept in the tenant’s own secret, never shown again"
            value={draft.value}
            onInput={(value) => set({ value })}
          />
          <TextField label="Header" value={draft.header} onInput={(header) => set({ header })} />
          <div class="field">
            <label for={schemeId}>Scheme</label>
            <select
              id={schemeId}
              value={draft.scheme}
              onChange={(event) => set({ scheme: event.currentTarget.value === 'raw' ? 'raw' : 'bearer' })}
            >
              <option value="bearer">Bearer &lt;key&gt;</option>
              <option value="raw">the key as it is</option>
            </select>
          </div>
        </>
      )}
      {draft.type === 'oauth_user' &&
        OAUTH_FIELDS.map(({ key, ...field }) => (
          <TextField key={key} {...field} value={draft[key]} onInput={(typed) => set({ [key]: typed })} />
        ))}
    </fieldset>
  );
}
