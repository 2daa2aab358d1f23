/** The Tenant admin section: every view of the signed-in admin's own tenant, through the public API. */
import type { View } from '../views.js';
import { AgentSettingsView } from './agent-settings-view.js';
import { AuditView } from './audit-view.js';
import { ConnectorView } from './connector-view.js';
import { ConnectorsView } from './connectors-view.js';
import { CostsView } from './costs-view.js';
import { RegisterConnectorView } from './register-connector-view.js';
import { UsersView } from './users-view.js';
import './tenant-admin.css';

export const TENANT_ADMIN_VIEWS: readonly View[] = [
  {
    path: 'admin/connectors',
    component: ConnectorsView,
    nav: { label: 'Connectors', section: 'Tenant admin' },
  },
  { path: 'admin/connectors/:name', component: ConnectorView },
  { path: 'admin/register-connector', component: RegisterConnectorView },
  {
    path: 'admin/settings',
    component: AgentSettingsView,
    nav: { label: 'Agent settings', section: 'Tenant admin' },
  },
  { path: 'admin/costs', component: CostsView, nav: { label: 'Costs and budget', section: 'Tenant admin' } },
  { path: 'admin/users', component: UsersView, nav: { label: 'Users and roles', section: 'Tenant admin' } },
  // Another tenant's address is the API's to refuse; the navigation links to the admin's own.
  { path: 'admin/tenants/:tenantId/users', component: UsersView },
  { path: 'admin/audit', component: AuditView, nav: { label: 'Audit trail', section: 'Tenant admin' } },
];
