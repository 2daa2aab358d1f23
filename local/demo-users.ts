/**
 * The demo people of the local cloud: who `npm start` seeds and hands tokens to, and who may sign
 * in to the local issuer as a person (its development login knows only these names).
 */
import { PLATFORM_TENANT_ID } from '../lambdas/tenancy/request-context.js';
import type { DemoIdentity } from './emulators/jwt-issuer.js';

export interface DemoUser extends DemoIdentity {
  readonly label: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { label: 'acme reader', sub: 'rita', tenantId: 'acme', groups: ['reader'] },
  { label: 'acme analyst', sub: 'alice', tenantId: 'acme', groups: ['analyst'] },
  { label: 'acme admin', sub: 'adam', tenantId: 'acme', groups: ['admin'] },
  { label: 'globex analyst', sub: 'gina', tenantId: 'globex', groups: ['analyst'] },
  { label: 'globex admin', sub: 'greg', tenantId: 'globex', groups: ['admin'] },
  { label: 'platform operator', sub: 'olga', tenantId: PLATFORM_TENANT_ID, groups: ['operator'] },
];
