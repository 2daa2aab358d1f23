/**
 * The Tenant admin section of the web console in a real browser, signed in as acme's admin `adam`
 * against the seeded demo: connectors (list, register, the API's 422, role map, delete), agent
 * settings, costs, users and roles, the audit trail and its verification — and the API's refusals
 * shown as errors: another tenant's address, and a non-admin opening an admin view. The tests run
 * in order; later ones read what earlier ones wrote (a changed setting is in the audit trail).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTicketTracker, type TicketTracker } from '../../../local/demo-mcp/ticket-tracker.js';
import { screenshotOf, settles, textOf, useConsoleDemo } from '../support/console-browser.js';

/** The key of the tracker this file starts (the demo tracker's key is made and kept by the demo platform). */
const OWN_TRACKER_KEY = 'tenant-admin-test-key';

const demo = useConsoleDemo();
let ownTracker: TicketTracker;

beforeAll(async () => {
  ownTracker = await startTicketTracker({ apiKey: OWN_TRACKER_KEY });
});

afterAll(async () => {
  await ownTracker?.close();
});

const asAdam = (path: string) => demo().signedIn(path, 'adam');

/** A globex user as the API lists them to the operator olga (not through the console). */
async function globexUser(userId: string): Promise<unknown> {
  const { cloud } = demo().platform;
  const token = await cloud.issuer.mint({ sub: 'olga', tenantId: 'platform', groups: ['operator'] });
  const response = await fetch(`${cloud.apiEndpoint}/v1/admin/tenants/globex/users?limit=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  const { users } = (await response.json()) as { users: { userId: string }[] };
  return users.find((user) => user.userId === userId);
}

/** The form's group (fieldset) of one tool or setting, by its legend. */
const group = (page: Page, name: string) => page.getByRole('group', { name, exact: true });

describe('the tenant admin views', () => {
  it("lists the tenant's connectors with each tool's roles and approval flag", async () => {
    const page = await asAdam('/console/admin/connectors');

    const table = page.getByRole('table', { name: 'Connectors' });
    const text = await textOf(table, /mytickets/);
    expect(text).toContain('tracker');
    expect(text).toMatch(/tracker__close_ticket: admin · requires approval/);
    expect(text).toMatch(/mytickets__list_tickets: reader, analyst, admin/);
    const nav = page.getByRole('navigation', { name: 'Views' }).getByRole('region', { name: 'Tenant admin' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Connectors',
      'Agent settings',
      'Costs and budget',
      'Users and roles',
      'Audit trail',
    ]);
    await screenshotOf(page, 'admin-connectors', [
      table,
      page.getByRole('link', { name: 'Register a connector' }),
    ]);
  }, 60_000);

  it('tests the connection of a connector with a key and of a per-user OAuth one', async () => {
    const page = await asAdam('/console/admin/connectors');

    await page.getByRole('button', { name: 'Test connection to tracker' }).click();

    expect(await textOf(page.getByRole('status'), /tracker answers/)).toMatch(
      /offers .*list_tickets.*close_ticket/,
    );
    expect(await page.getByRole('status').textContent()).not.toContain('no longer offered');

    await page.getByRole('button', { name: 'Test connection to mytickets' }).click();

    expect(await textOf(page.getByRole('status'), /mytickets/)).toContain(
      `its authorization server answers as ${demo().platform.authServer.issuer}`,
    );
    expect(await page.getByRole('alert').count()).toBe(0);
  }, 60_000);

  it("shows the API's 422 as an alert when the connector cannot be used (the demo tracker without its key)", async () => {
    const page = await asAdam('/console/admin/register-connector');
    const form = page.getByRole('form', { name: 'Register a connector' });
    await form.getByLabel('Name', { exact: true }).fill('keyless');
    await form.getByLabel('URL', { exact: true }).fill(demo().platform.tracker.url);
    await group(page, 'Tool 1').getByLabel('Tool name').fill('list_tickets');
    await group(page, 'Tool 1').getByLabel('analyst').check();
    await screenshotOf(page, 'admin-connector-form', [
      form,
      form.getByLabel('Auth', { exact: true }),
      group(page, 'Tool 1'),
    ]);

    await form.getByRole('button', { name: 'Register' }).click();

    expect(await textOf(page.getByRole('alert'), /HTTP 422/)).toMatch(/connector_unusable|invalid_connector/);
    const listed = await demo().signedIn('/console/admin/connectors', 'adam');
    expect(await textOf(listed.getByRole('table', { name: 'Connectors' }), /tracker/)).not.toContain(
      'keyless',
    );
  }, 60_000);

  it('registers an MCP connector with its API key and role map, then deletes it', async () => {
    const page = await asAdam('/console/admin/register-connector');
    const form = page.getByRole('form', { name: 'Register a connector' });
    await form.getByLabel('Name', { exact: true }).fill('desk');
    await form.getByLabel('Description').fill('A second tracker');
    await form.getByLabel('URL', { exact: true }).fill(ownTracker.url);
    await form.getByLabel('Auth', { exact: true }).selectOption('api_key');
    await form.getByLabel('API key').fill(OWN_TRACKER_KEY);
    await group(page, 'Tool 1').getByLabel('Tool name').fill('list_tickets');
    await group(page, 'Tool 1').getByLabel('reader').check();
    await form.getByRole('button', { name: 'Add a tool' }).click();
    await group(page, 'Tool 2').getByLabel('Tool name').fill('close_ticket');
    await group(page, 'Tool 2').getByLabel('Requires approval').check();

    await form.getByRole('button', { name: 'Register' }).click();

    expect(await textOf(page.getByRole('status'), /Registered desk/)).toBeTruthy();
    const table = page.getByRole('table', { name: 'Connectors' });
    const row = table.getByRole('row').filter({ hasText: 'desk__' });
    expect(await textOf(row, /desk__list_tickets: reader, admin/)).toMatch(
      /desk__close_ticket: admin · requires approval/,
    );
    expect(await row.textContent()).toContain('api_key');

    await row.getByRole('button', { name: 'Delete desk' }).click();
    await row.getByRole('button', { name: 'Delete desk now' }).click();

    expect(await textOf(page.getByRole('status'), /Deleted desk/)).toBeTruthy();
    await settles(() => table.textContent()).not.toContain('desk__');
    expect(await table.textContent()).toContain('tracker__list_tickets');
  }, 90_000);

  it('registers a per-user OAuth connector through its fields, then deletes it', async () => {
    const { authServer, personalTracker } = demo().platform;
    const page = await asAdam('/console/admin/register-connector');
    const form = page.getByRole('form', { name: 'Register a connector' });
    await form.getByLabel('Name', { exact: true }).fill('ownticket');
    await form.getByLabel('URL', { exact: true }).fill(personalTracker.url);
    await form.getByLabel('Auth', { exact: true }).selectOption('oauth_user');
    await form.getByLabel('Authorization URL').fill(authServer.authorizationUrl);
    await form.getByLabel('Token URL').fill(authServer.tokenUrl);
    await form.getByLabel('Revocation URL').fill(authServer.revocationUrl);
    await form.getByLabel('Issuer').fill(authServer.issuer);
    await form.getByLabel('Client id').fill(authServer.clientId);
    await form.getByLabel('Client secret').fill(authServer.clientSecret);
    await form.getByLabel('Scopes').fill(authServer.scopes.join(' '));
    await group(page, 'Tool 1').getByLabel('Tool name').fill('list_tickets');
    await group(page, 'Tool 1').getByLabel('reader').check();

    await form.getByRole('button', { name: 'Register' }).click();

    expect(await textOf(page.getByRole('status'), /Registered ownticket/)).toBeTruthy();
    const row = page
      .getByRole('table', { name: 'Connectors' })
      .getByRole('row')
      .filter({ hasText: 'ownticket__' });
    expect(await textOf(row, /ownticket__list_tickets: reader, admin/)).toContain('oauth_user');
    await page.getByRole('button', { name: 'Test connection to ownticket' }).click();
    expect(await textOf(page.getByRole('status'), /ownticket/)).toContain(
      `its authorization server answers as ${authServer.issuer}`,
    );

    await row.getByRole('button', { name: 'Delete ownticket' }).click();
    await row.getByRole('button', { name: 'Delete ownticket now' }).click();
    expect(await textOf(page.getByRole('status'), /Deleted ownticket/)).toBeTruthy();
  }, 90_000);

  it("changes tracker's role map and approval flags, kept after a reload", async () => {
    const page = await asAdam('/console/admin/connectors/tracker');
    const listTickets = group(page, 'list_tickets');
    await listTickets.getByLabel('reader').check();
    await group(page, 'create_ticket').getByLabel('Requires approval').check();

    await page.getByRole('button', { name: 'Save the role map' }).click();

    expect(await textOf(page.getByRole('status'), /Saved/)).toBeTruthy();
    const reloaded = await asAdam('/console/admin/connectors/tracker');
    await group(reloaded, 'list_tickets').waitFor();
    expect(await group(reloaded, 'list_tickets').getByLabel('reader').isChecked()).toBe(true);
    expect(await group(reloaded, 'create_ticket').getByLabel('Requires approval').isChecked()).toBe(true);
    expect(await group(reloaded, 'close_ticket').getByLabel('analyst').isChecked()).toBe(false);
    await screenshotOf(reloaded, 'admin-connector', [
      group(reloaded, 'list_tickets'),
      group(reloaded, 'close_ticket'),
      reloaded.getByRole('button', { name: 'Save the role map' }),
    ]);
    const listed = await asAdam('/console/admin/connectors');
    expect(await textOf(listed.getByRole('table', { name: 'Connectors' }), /tracker__list_tickets/)).toMatch(
      /tracker__list_tickets: reader, analyst, admin.*tracker__create_ticket: analyst, admin · requires approval/,
    );
  }, 90_000);

  it('changes the agent settings, kept after a reload', async () => {
    const page = await asAdam('/console/admin/settings');
    const form = page.getByRole('form', { name: 'Agent settings' });
    await form.getByLabel('Instructions').fill('Answer in one short paragraph.');
    await form.getByLabel('Steps per turn').fill('4');
    await group(page, 'remember').getByLabel('Switched off').check();
    await group(page, 'search_documents').getByLabel('reader').uncheck();

    await form.getByRole('button', { name: 'Save the settings' }).click();

    expect(await textOf(page.getByRole('status'), /Saved/)).toBeTruthy();
    const reloaded = await asAdam('/console/admin/settings');
    const instructions = reloaded.getByLabel('Instructions');
    await settles(() => instructions.inputValue()).toBe('Answer in one short paragraph.');
    expect(await reloaded.getByLabel('Steps per turn').inputValue()).toBe('4');
    expect(await group(reloaded, 'remember').getByLabel('Switched off').isChecked()).toBe(true);
    expect(await group(reloaded, 'search_documents').getByLabel('reader').isChecked()).toBe(false);
    expect(await group(reloaded, 'search_documents').getByLabel('analyst').isChecked()).toBe(true);
    await screenshotOf(reloaded, 'admin-settings', [
      reloaded.getByRole('form', { name: 'Agent settings' }),
      group(reloaded, 'remember'),
    ]);
  }, 90_000);

  it("shows the month's costs by user and by model after a chat", async () => {
    const { cloud } = demo().platform;
    const token = await cloud.issuer.mint({ sub: 'alice', tenantId: 'acme', groups: ['analyst'] });
    const chat = await fetch(`${cloud.apiEndpoint}/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'What ships on Tuesdays?' }),
    });
    expect(chat.status).toBe(200);

    const page = await asAdam('/console/admin/costs');

    const byUser = page.getByRole('table', { name: 'Costs by user' });
    expect(await textOf(byUser, /alice/)).toMatch(/alice\s*\$0\.\d+/);
    const byModel = page.getByRole('table', { name: 'Costs by model' });
    expect(await byModel.getByRole('row').count()).toBeGreaterThan(1);
    const chart = page.getByRole('img', { name: /Cost so far in \d{4}-\d{2}, by day/ });
    const budget = page.getByLabel('Budget used and remaining');
    const [, used, remaining] = /Monthly budget\$[\d.,]+Used\$([\d.,]+)Remaining\$([\d.,]+)/.exec(
      await textOf(budget, /Remaining/),
    ) ?? ['', '', ''];
    expect(Number(used)).toBeGreaterThan(0);
    expect(Number(remaining.replaceAll(',', ''))).toBeGreaterThan(0);
    await page.getByText(/^Values of Cost so far/).click();
    expect(await page.getByRole('table', { name: /Cost so far/ }).textContent()).toMatch(/Budget\$[\d.,]+/);
    await screenshotOf(page, 'admin-costs', [byUser, byModel, chart, budget, page.getByLabel('Budget used')]);

    await page.getByLabel('Month', { exact: true }).fill('2020-01');
    expect(await textOf(page.getByRole('table', { name: 'Costs by user' }), /No usage/)).not.toContain(
      'alice',
    );
  }, 90_000);

  it("lists the tenant's users and changes one's roles, kept after a reload", async () => {
    const page = await asAdam('/console/admin/users');
    const users = page.getByRole('table', { name: 'Users' });
    const rita = users.getByRole('row').filter({ hasText: 'rita' });
    expect(await textOf(users, /rita/)).toMatch(/adam\s*admin.*alice\s*analyst/);
    expect(await rita.textContent()).toMatch(/rita\s*reader/);
    await rita.getByRole('button', { name: 'Change roles of rita' }).click();
    const form = page.getByRole('form', { name: 'Change a user’s roles' });
    expect(await form.getByLabel('User').inputValue()).toBe('rita');
    expect(await form.getByLabel('reader').isChecked()).toBe(true);
    await form.getByLabel('analyst').check();

    await form.getByRole('button', { name: 'Save the roles' }).click();

    expect(await textOf(page.getByRole('status'), /rita now has/)).toContain('reader, analyst');
    expect(await textOf(rita, /reader, analyst/)).toBeTruthy();
    await screenshotOf(page, 'admin-users', [users, form, page.getByRole('status')]);
    const reloaded = await asAdam('/console/admin/users');
    expect(
      await textOf(
        reloaded.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: 'rita' }),
        /rita/,
      ),
    ).toMatch(/reader, analyst/);
  }, 90_000);

  it("shows the API's refusal when the admin opens another tenant's users, and changes nobody's roles", async () => {
    const ginaBefore = await globexUser('gina');
    const page = await asAdam('/console/admin/tenants/globex/users');

    expect(await textOf(page.getByRole('alert'), /HTTP 403/)).toContain('forbidden');
    expect(await page.getByRole('table', { name: 'Users' }).count()).toBe(0);
    const form = page.getByRole('form', { name: 'Change a user’s roles' });
    await form.getByLabel('User').fill('gina');
    await form.getByLabel('admin').check();
    await form.getByRole('button', { name: 'Save the roles' }).click();

    expect(await textOf(form.getByRole('alert'), /HTTP 403/)).toContain('forbidden');
    expect(await page.getByRole('alert').count()).toBe(2);
    expect(await page.getByRole('status').count()).toBe(0);
    expect(await globexUser('gina')).toEqual(ginaBefore);
  }, 60_000);

  it('lists the audit trail with a filter applied, and verifies it', async () => {
    const page = await asAdam('/console/admin/audit');
    const table = page.getByRole('table', { name: 'Audit trail' });
    await textOf(table, /admin_action/);
    // Every page, one at a time: each click waits for its rows before looking for the button again.
    const rows = table.locator('tbody tr');
    const more = page.getByRole('button', { name: 'Load more records' });
    while ((await more.count()) > 0) {
      const shown = await rows.count();
      await more.click();
      await settles(() => rows.count()).toBeGreaterThan(shown);
    }

    await page.getByLabel('Kind').selectOption('admin_action');
    await page.getByLabel('Action contains').fill('agent.settings');

    const kinds = table.locator('tbody tr td:nth-child(2)');
    await settles(() => kinds.allTextContents()).toContain('admin_action');
    expect(new Set(await kinds.allTextContents())).toEqual(new Set(['admin_action']));
    expect(new Set(await table.locator('tbody tr td:nth-child(3)').allTextContents())).toEqual(
      new Set(['agent.settings']),
    );

    await page.getByRole('button', { name: 'Verify the trail' }).click();

    expect(await textOf(page.getByRole('status'), /Verified: \d+ records/)).toBeTruthy();
    await screenshotOf(page, 'admin-audit', [table, page.getByRole('status'), page.getByLabel('Kind')]);
  }, 90_000);

  it("shows a non-admin the API's refusal on the connectors view, and no Tenant admin section", async () => {
    const page = await demo().signedIn('/console/admin/connectors', 'alice');

    expect(await textOf(page.getByRole('alert'), /HTTP 403/)).toContain('forbidden');
    expect(await page.getByRole('table', { name: 'Connectors' }).count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Views' });
    expect(await nav.getByRole('region', { name: 'Tenant admin' }).count()).toBe(0);
  }, 60_000);
});
