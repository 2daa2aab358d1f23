/** Addresses of the tenant admin views, under the app's base (what `<a href>` and `route` take). */
const BASE = import.meta.env.BASE_URL;

export const connectorsPath = (registered?: string) =>
  `${BASE}admin/connectors${registered === undefined ? '' : `?registered=${encodeURIComponent(registered)}`}`;
export const connectorPath = (name: string) => `${BASE}admin/connectors/${encodeURIComponent(name)}`;
export const registerConnectorPath = () => `${BASE}admin/register-connector`;
