/**
 * The console's Operator section in a real browser, signed in as the demo operator `olga`
 * against the seeded demo (acme in the pool, globex in its silo): the tenant list and its
 * filters, onboarding, a tenant's page (placement and moves, tier and budget, the API's refusals,
 * suspend and resume, offboarding with its grace period, the erasure receipt), platform costs
 * with the CSV download, and a tenant admin meeting the API's refusal on an operator URL. The tests run in order and
 * build on each other: the tenant onboarded in one is the one changed in the next.
 */
import { readFile } from 'node:fs/promises';
import { CSV_HEADER } from '@bulkhead/client';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { userOf } from '../../../local/demo-seed.js';
import { screenshotOf, settles, textOf, useConsoleDemo } from '../support/console-browser.js';
import { SCHEDULED } from '../support/inspector.js';

/** The tenant this file onboards, changes, suspends and offboards. */
const NEWCOMER = 'initech';
/** The tenant this file onboards only to erase it. */
const LEAVER = 'hooli';
/** The tenant this file onboards in a silo tier, to see its move. */
const MOVER = 'umbrella';

const demo = useConsoleDemo();
/** olga's page, carried from test to test (opened in beforeAll, so it stays open). */
let page: Page;

beforeAll(async () => {
  page = await demo().signedIn('/console/tenants', 'olga');
}, 60_000);

/** The API's view of a tenant, read with an operator's token (not through the console). */
async function storedTenant(tenantId: string): Promise<Record<string, unknown>> {
  const { cloud } = demo().platform;
  const response = await fetch(`${cloud.apiEndpoint}/v1/admin/tenants/${tenantId}`, {
    headers: { authorization: `Bearer ${await cloud.issuer.mint(userOf('operator'))}` },
  });
  return (await response.json()) as Record<string, unknown>;
}

const month = () => new Date().toISOString().slice(0, 7);
const rows = () => page.getByRole('table', { name: 'Tenants' }).locator('tbody tr');
const status = () => page.getByRole('status');

/** Onboards a tenant through the "Onboard a tenant" form, reached from the navigation (the caller checks the answer). */
async function onboard(
  tenantId: string,
  name: string,
  { tier, firstAdminEmail }: { tier?: string; firstAdminEmail?: string } = {},
): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('link', { name: 'Onboard a tenant' })
    .click();
  await page.getByLabel('Tenant id').fill(tenantId);
  await page.getByLabel('Name').fill(name);
  if (tier !== undefined) await page.getByLabel('Tier').selectOption(tier);
  if (firstAdminEmail !== undefined) await page.getByLabel("First admin's e-mail").fill(firstAdminEmail);
  await page.getByRole('button', { name: 'Onboard' }).click();
}
const alert = () => page.getByRole('alert');

describe('the operator views', () => {
  it('lists the tenants, filtered by tier and by status, a page at a time', async () => {
    const table = page.getByRole('table', { name: 'Tenants' });
    expect(await textOf(table, /acme[\s\S]*globex/)).toMatch(/Acme Corp[\s\S]*basic[\s\S]*active[\s\S]*pool/);
    expect(await table.textContent()).toMatch(/Globex[\s\S]*enterprise[\s\S]*active[\s\S]*silo/);

    await page.getByLabel('Tier').selectOption('enterprise');
    await settles(() => table.textContent()).not.toContain('acme');
    expect(await table.textContent()).toContain('globex');
    await page.getByLabel('Status').selectOption('suspended');
    await textOf(page.getByText('No tenant matches'), /No tenant matches/);
    expect(await rows().count()).toBe(0);
    await page.getByLabel('Status').selectOption('active');
    await settles(() => rows().count()).toBe(1);
    await page.getByLabel('Tier').selectOption('');
    await settles(() => rows().count()).toBe(2);

    // A page of one: the API's cursor behind "More" brings the next one, and the last page has none.
    const more = page.getByRole('button', { name: 'More' });
    await page.getByLabel('Per page').fill('1');
    await more.waitFor();
    expect(await rows().count()).toBe(1);
    expect(await table.textContent()).toContain('acme');
    await more.click();
    await settles(() => rows().count()).toBe(2);
    expect(await table.textContent()).toContain('globex');
    await more.waitFor({ state: 'detached' });
    await page.getByLabel('Per page').fill('50');
    await screenshotOf(page, 'operator-tenants', [
      table,
      page.getByLabel('Tier'),
      page.getByLabel('Status'),
      page.getByRole('link', { name: 'globex' }),
    ]);
  }, 60_000);

  it("shows a silo tenant's placement and its last move, with the verified copy's counts", async () => {
    await page.getByRole('link', { name: 'globex' }).click();
    const globex = page.getByLabel('Tenant record');
    expect(await textOf(globex, /Placement\s*silo/)).toMatch(
      /Move\s*none under way\s*Last move\s*to silo, finished [\d-]+ [\d:]+ UTC: \d+ items, \d+ objects, \d+ vectors, verified/,
    );
  }, 60_000);

  it("onboards a tenant through the form (a first admin's e-mail is the API's 422 locally) and lists it", async () => {
    // The local issuer is not a Cognito pool: the API cannot create the admin, and says so.
    await onboard(NEWCOMER, 'Initech', { tier: 'basic', firstAdminEmail: 'bill@initech.example' });
    expect(await textOf(alert(), /first_admin_not_supported/)).toContain('HTTP 422');
    expect((await storedTenant(NEWCOMER)).error).toMatchObject({ code: 'tenant_not_found' });

    await page.getByLabel("First admin's e-mail").fill('');
    await page.getByRole('button', { name: 'Onboard' }).click();
    expect(await textOf(status(), /Onboarded Initech/)).toContain('basic, pool');
    await screenshotOf(page, 'operator-onboard', [
      page.getByRole('form', { name: 'Onboard a tenant' }),
      page.getByLabel('Tenant id'),
      status(),
    ]);

    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Tenants' }).click();
    expect(await textOf(page.getByRole('table', { name: 'Tenants' }), new RegExp(NEWCOMER))).toContain(
      'Initech',
    );
  }, 60_000);

  it("opens the tenant and changes its tier and monthly budget: the record and the spend chart's budget line show it", async () => {
    await page.getByRole('link', { name: NEWCOMER }).click();
    await page.getByRole('heading', { name: `Tenant ${NEWCOMER}`, level: 1 }).waitFor();
    expect(await textOf(page.getByLabel('Tenant record'), /Tier\s*basic/)).toMatch(
      /Placement\s*pool\s*Move\s*none under way/,
    );

    await page.getByLabel('Tier', { exact: true }).selectOption('premium');
    await page.getByLabel('Monthly budget (USD)').fill('25');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await textOf(status(), /Saved/);
    expect(await textOf(page.getByLabel('Tenant record'), /Tier\s*premium/)).toMatch(
      /Monthly budget\s*\$25\.00/,
    );
    expect(await storedTenant(NEWCOMER)).toMatchObject({ tier: 'premium', monthlyBudgetUsd: 25 });

    const chart = `Spend of ${NEWCOMER} in ${month()}, month to date`;
    await page.getByText(`Values of ${chart}`).click();
    expect(await textOf(page.getByRole('table', { name: chart }), /Monthly budget/)).toContain('$25.00');
    await screenshotOf(page, 'operator-tenant-detail', [
      page.getByLabel('Tenant record'),
      page.getByRole('img', { name: chart }),
      page.getByRole('table', { name: chart }),
      page.getByRole('button', { name: 'Suspend' }),
      page.getByRole('button', { name: 'Save changes' }),
    ]);
  }, 60_000);

  it("shows the API's refusal of a bad setting, and changes nothing", async () => {
    await page.getByLabel('Monthly budget (USD)').fill('-5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await textOf(alert(), /bad_request/)).toMatch(/monthlyBudgetUsd[\s\S]*HTTP 400/);

    await page.getByLabel('Monthly budget (USD)').fill('25');
    await page.getByLabel('Model id').fill('no-such-model');
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await textOf(alert(), /model_not_allowed/)).toContain('HTTP 422');

    expect(await storedTenant(NEWCOMER)).toMatchObject({ tier: 'premium', monthlyBudgetUsd: 25 });
    expect(await storedTenant(NEWCOMER)).not.toHaveProperty('modelId');
    expect(await page.getByLabel('Tenant record').textContent()).toMatch(/Monthly budget\s*\$25\.00/);
    await page.getByLabel('Model id').fill('');
  }, 60_000);

  it('suspends the tenant, then resumes it', async () => {
    await page.getByRole('button', { name: 'Suspend' }).click();
    await textOf(status(), /Suspended/);
    await textOf(page.getByLabel('Tenant record'), /Status\s*suspended/);
    expect(await storedTenant(NEWCOMER)).toMatchObject({ status: 'suspended' });

    await page.getByRole('button', { name: 'Resume' }).click();
    await textOf(status(), /Resumed/);
    await textOf(page.getByLabel('Tenant record'), /Status\s*active/);
    expect(await storedTenant(NEWCOMER)).toMatchObject({ status: 'active' });
  }, 60_000);

  it('offboards the tenant after a confirmation that shows its grace period, then cancels', async () => {
    await page.getByRole('button', { name: 'Offboard…' }).click();
    const confirm = page.getByRole('region', { name: `Offboard ${NEWCOMER}?` });
    expect(await confirm.getByLabel('Grace period (days)').inputValue()).toBe('30');
    const inThirtyDays = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(await textOf(confirm, /Erasure may begin after about/)).toContain(inThirtyDays);
    await confirm.getByRole('button', { name: `Offboard ${NEWCOMER}` }).click();

    await textOf(status(), /Offboarding/);
    const stored = await storedTenant(NEWCOMER);
    expect(stored).toMatchObject({ status: 'offboarding' });
    const eraseAfter = (stored.offboarding as { eraseAfter: string }).eraseAfter;
    const shown = `${eraseAfter.slice(0, 16).replace('T', ' ')} UTC`;
    expect(await textOf(page.getByText(/In its grace period/), /erasure may begin after/)).toContain(shown);
    expect(await page.getByLabel('Tenant record').textContent()).toMatch(/Status\s*offboarding/);
    expect(await page.getByRole('button', { name: 'Suspend' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Cancel offboarding' }).click();
    await textOf(status(), /Offboarding cancelled/);
    await textOf(page.getByLabel('Tenant record'), /Status\s*active/);
    expect(await storedTenant(NEWCOMER)).toMatchObject({ status: 'active' });
  }, 60_000);

  it('shows an erased tenant its signed erasure receipt', async () => {
    const { cloud } = demo().platform;
    await onboard(LEAVER, 'Hooli');
    await page.getByRole('status').getByRole('link', { name: LEAVER }).click();
    await page.getByRole('button', { name: 'Offboard…' }).click();
    await page.getByLabel('Grace period (days)').fill('0');
    await page.getByRole('button', { name: `Offboard ${LEAVER}` }).click();
    await textOf(status(), /Offboarding/);

    // The erasure job (its schedule's run), once the grace period and the registry's settle time are over.
    // A deadline, not a state to poll: the job compares eraseAfter with its own clock, and nothing the
    // API shows changes before it has run (a run before eraseAfter erases nothing, and says so).
    const { offboarding } = (await storedTenant(LEAVER)) as { offboarding: { eraseAfter: string } };
    const wait = new Date(offboarding.eraseAfter).getTime() - Date.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0) + 100));
    const run = await fetch(`${cloud.inspectorEndpoint}/schedules/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ only: SCHEDULED.tenantErasure }),
    });
    expect(await run.json()).toMatchObject({ results: [{ erased: 1, failed: 0 }] });

    const erased = await demo().signedIn(`/console/tenants/${LEAVER}`, 'olga');
    await erased.getByRole('heading', { name: 'Erasure receipt' }).waitFor();
    expect(await textOf(erased.getByRole('table', { name: 'Erased' }), /roleAssignments/)).toMatch(
      /items\s*\d+/,
    );
    expect(await erased.getByRole('alert').count()).toBe(0);
  }, 60_000);

  it("shows every tenant's costs for a month, per tenant and per model, and downloads them as CSV", async () => {
    const { cloud } = demo().platform;
    const chat = await fetch(`${cloud.apiEndpoint}/v1/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await cloud.issuer.mint({ sub: 'alice', tenantId: 'acme', groups: ['analyst'] })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ message: 'What ships on Tuesdays?' }),
    });
    expect(chat.status).toBe(200);

    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: 'Platform costs' })
      .click();
    const table = page.getByRole('table', { name: `Costs by tenant and model, ${month()}` });
    await textOf(table, /acme/);
    // The chat model, and the embedding model that searched acme's documents.
    expect(await table.getByRole('row', { name: /^acme/ }).count()).toBeGreaterThanOrEqual(1);
    await page.getByLabel('Month').fill('2025-01');
    const past = page.getByRole('table', { name: 'Costs by tenant and model, 2025-01' });
    await past.waitFor();
    expect(await past.locator('tbody tr').count()).toBe(0);
    await page.getByLabel('Month').fill(month());
    await textOf(table, /acme/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`bulkhead-costs-${month()}.csv`);
    const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    const acme = lines.filter((line) => line.startsWith(`${month()},acme,Acme Corp,basic,`));
    expect(acme.length).toBe(await table.getByRole('row', { name: /^acme/ }).count());

    await screenshotOf(page, 'operator-costs', [
      page.getByLabel('Month'),
      page.getByRole('img', { name: `Cost per tenant, ${month()}` }),
      page.getByRole('img', { name: `Cost per model, ${month()}` }),
      table,
      page.getByRole('link', { name: 'Download CSV' }),
    ]);
  }, 60_000);

  it("shows a move under way in words, and the API's 409 for a tier change during it", async () => {
    await onboard(MOVER, 'Umbrella', { tier: 'enterprise' });
    // An enterprise tenant starts in the pool with its move to a silo under way (the placement job carries it on).
    expect(await textOf(status(), /Onboarded Umbrella/)).toContain('enterprise, pool → silo (provisioning)');

    await page.getByRole('status').getByRole('link', { name: MOVER }).click();
    expect(await textOf(page.getByLabel('Tenant record'), /Move\s*to silo/)).toMatch(
      /provisioning — the silo stack is being created/,
    );
    await page.getByLabel('Tier', { exact: true }).selectOption('basic');
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await textOf(alert(), /move_in_progress/)).toContain('HTTP 409');
    expect(await storedTenant(MOVER)).toMatchObject({ tier: 'enterprise', move: { phase: 'provisioning' } });
  }, 60_000);

  it("shows a tenant admin the API's refusal on another tenant's operator page", async () => {
    const adam = await demo().signedIn('/console/tenants/globex', 'adam');

    expect(await textOf(adam.getByRole('alert'), /forbidden/)).toContain('HTTP 403');
    expect(await adam.getByLabel('Tenant record').count()).toBe(0);
    const sections = adam.getByRole('navigation', { name: 'Views' }).getByRole('region');
    expect(
      await sections.evaluateAll((found) => found.map((s) => s.getAttribute('aria-label'))),
    ).not.toContain('Operator');
  }, 60_000);
});
