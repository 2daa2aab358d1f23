/** The Operator section: tenants and their lifecycle, onboarding, platform costs. */
import type { View } from '../views.js';
import { CostsView } from './costs-view.js';
import { OnboardView } from './onboard-view.js';
import { TenantDetailView } from './tenant-detail-view.js';
import { TenantsView } from './tenants-view.js';
import './operator.css';

export const OPERATOR_VIEWS: readonly View[] = [
  { path: 'tenants', component: TenantsView, nav: { label: 'Tenants', section: 'Operator' } },
  { path: 'tenants/:tenantId', component: TenantDetailView },
  { path: 'onboard', component: OnboardView, nav: { label: 'Onboard a tenant', section: 'Operator' } },
  { path: 'costs', component: CostsView, nav: { label: 'Platform costs', section: 'Operator' } },
];
