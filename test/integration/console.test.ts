/**
 * The web console in a real browser (playwright-core driving the system Chromium, headless): built
 * with Vite, served by the local console host on its own origin, signed in through the local
 * issuer's code + PKCE login, calling the API cross-origin (CORS) with the person's ID token.
 * A local cloud of this file's own, since the console's origin must be among its CORS origins.
 * Screenshots of each view go to test-results/console/ (asserted by role and label, not pixels).
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/repo-root.js';
import { buildConsole } from '../../local/console-build.js';
import { type ConsoleServer, startConsoleServer } from '../../local/console-server.js';
import { type LocalCloud, startLocalCloud } from '../../local/local-cloud.js';
import { chromiumCommand } from '../../local/prerequisites.js';

const SCREENSHOTS = repoPath('test-results/console');
const OPERATOR = { sub: 'olga', tenantId: 'platform', groups: ['operator'] };

/** Playwright needs the browser's path, the prerequisite check gives a command: look it up on PATH. */
async function executablePath(command: string): Promise<string> {
  if (isAbsolute(command)) return command;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new Error(`${command} is not on PATH`);
}

let cloud: LocalCloud;
let webConsole: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  const [, started, command] = await Promise.all([
    buildConsole(),
    startConsoleServer(),
    chromiumCommand().then(executablePath),
    mkdir(SCREENSHOTS, { recursive: true }),
  ]);
  webConsole = started;
  // One after the other: a failed launch must not leave a started cloud unknown to afterAll.
  cloud = await startLocalCloud({ echoFunctionLogs: false, consoleOrigin: webConsole.origin });
  browser = await chromium.launch({ executablePath: command, headless: true });
  webConsole.configure({
    apiUrl: cloud.apiEndpoint,
    issuer: cloud.issuer.issuer,
    clientId: cloud.issuer.audience,
  });
  const token = await cloud.issuer.mint(OPERATOR);
  for (const [tenantId, tier] of [
    ['acme', 'basic'],
    ['initech', 'premium'],
  ] as const) {
    const response = await fetch(`${cloud.apiEndpoint}/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId, name: `Tenant ${tenantId}`, tier }),
    });
    expect(response.status).toBe(201);
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
  await webConsole?.stop();
});

/** Opens `path` of the console in a fresh context and signs in as `login` through the issuer's pages. */
async function signedIn(path: string, login: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${webConsole.origin}${path}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('demo');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click(); // the confirm page
  await page.waitForURL(`${webConsole.origin}${path}`);
  return page;
}

/** Nothing of the sign-in is left in storage: no localStorage at all, no token in sessionStorage. */
const storage = (page: Page) =>
  page.evaluate<{ local: number; session: string }>(
    "({ local: localStorage.length, session: Object.values(sessionStorage).join(' ') })",
  );

describe('the web console', () => {
  it('shows an operator who they are and lists the tenants, filtered by tier', async () => {
    const page = await signedIn('/console/', 'olga');

    const me = page.getByLabel('Signed in as');
    await expect.poll(() => me.textContent()).toContain('olga');
    expect(await me.textContent()).toMatch(/Tenant\s*platform.*Roles\s*operator/);
    const stored = await storage(page);
    expect(stored.local).toBe(0);
    expect(stored.session).not.toMatch(/eyJ[\w-]+\./);
    await page.screenshot({ path: `${SCREENSHOTS}/me.png`, fullPage: true });

    await page.getByRole('link', { name: 'Tenants' }).click();
    const table = page.getByRole('table', { name: 'Tenants' });
    await expect.poll(() => table.textContent()).toContain('initech');
    expect(await table.textContent()).toContain('acme');
    await page.screenshot({ path: `${SCREENSHOTS}/tenants.png`, fullPage: true });

    await page.getByLabel('Tier').selectOption('premium');
    await expect.poll(() => table.textContent()).not.toContain('acme');
    expect(await table.textContent()).toContain('initech');
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it("shows a tenant user their own tenant, and the API's 403 on the Tenants view as an alert", async () => {
    const page = await signedIn('/console/tenants', 'alice');

    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('forbidden');
    expect(await alert.textContent()).toContain('HTTP 403');
    expect(await page.getByRole('table', { name: 'Tenants' }).count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/tenants-refused.png`, fullPage: true });

    await page.getByRole('link', { name: 'Me' }).click();
    const me = page.getByLabel('Signed in as');
    await expect.poll(() => me.textContent()).toMatch(/Tenant\s*acme.*User\s*alice.*Roles\s*analyst/);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('serves deep links as the app, with a CSP naming only the API and the issuer', async () => {
    const response = await fetch(`${webConsole.origin}/console/tenants`);
    const csp = response.headers.get('content-security-policy') ?? '';

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="app">');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${new URL(cloud.apiEndpoint).origin} ${cloud.issuer.issuer}`);
    expect((await fetch(`${webConsole.origin}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${webConsole.origin}/console/../package.json`)).status).toBe(404);
  });
});
