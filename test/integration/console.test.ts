/**
 * The web console's shell in a real browser (playwright-core driving the system Chromium,
 * headless): built with Vite, served by the local console host on its own origin, signed in
 * through the local issuer's code + PKCE login, calling the API cross-origin (CORS) with the
 * person's ID token — against the seeded demo, as `npm start` runs it. The views of each role
 * have their own files in test/integration/console/.
 */
import { describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  screenshotOf,
  settles,
  storage,
  textOf,
  useConsoleDemo,
} from './support/console-browser.js';

const demo = useConsoleDemo();

describe('the web console', () => {
  it('shows an operator who they are and lists the tenants, filtered by tier', async () => {
    const page = await demo().signedIn('/console/', 'olga');

    const me = page.getByLabel('Signed in as');
    expect(await textOf(me, /Tenant\s*platform.*User\s*olga.*Roles\s*operator/)).toBeTruthy();
    const stored = await storage(page);
    expect(stored.local).toBe(0);
    expect(stored.session).not.toMatch(/eyJ[\w-]+\./);
    const nav = page.getByRole('navigation', { name: 'Views' });
    expect(
      await nav
        .getByRole('region')
        .evaluateAll((sections) => sections.map((s) => s.getAttribute('aria-label'))),
    ).toEqual(['You', 'Operator']);
    await screenshotOf(page, 'me', [me]);

    await page.getByRole('link', { name: 'Tenants' }).click();
    const table = page.getByRole('table', { name: 'Tenants' });
    expect(await textOf(table, /globex/)).toContain('acme');

    await page.getByLabel('Tier').selectOption('enterprise');
    await settles(() => table.textContent()).not.toContain('acme');
    expect(await table.textContent()).toContain('globex');
    await screenshotOf(page, 'tenants', [table]);
  });

  it("shows a tenant user their own tenant, and the API's 403 on the Tenants view as an alert", async () => {
    const page = await demo().signedIn('/console/tenants', 'alice');

    const alert = page.getByRole('alert');
    expect(await textOf(alert, /forbidden/)).toContain('HTTP 403');
    expect(await page.getByRole('table', { name: 'Tenants' }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Views' }).getByRole('region').count()).toBe(1);

    await page.getByRole('link', { name: 'Me', exact: true }).click();
    expect(
      await textOf(page.getByLabel('Signed in as'), /Tenant\s*acme.*User\s*alice.*Roles\s*analyst/),
    ).toBeTruthy();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('finds a silo tenant on the silo API: the pool API answers 421 and the console switches', async () => {
    const page = await demo().signedIn('/console/', 'gina');

    expect(await textOf(page.getByLabel('Signed in as'), /Tenant\s*globex.*User\s*gina/)).toBeTruthy();
  });

  it('signs out: the tokens are gone and the sign-in button is back', async () => {
    const page = await demo().signedIn('/console/', 'alice');
    await textOf(page.getByLabel('Signed in as'), /User\s*alice/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByLabel('Signed in as').count()).toBe(0);
    const stored = await storage(page);
    expect(stored.local).toBe(0);
    expect(stored.session).not.toMatch(/eyJ[\w-]+\./);

    // Opened again, an API-backed view asks to sign in rather than showing who she was.
    await page.goto(`${demo().origin}/console/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByLabel('Signed in as').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it("the accessibility check every screenshot makes finds a page's problems (it can fail)", async () => {
    const page = await demo().newPage();
    await page.setContent(
      '<html lang="en"><title>t</title><main><input id="x"><img src="a.png"></main></html>',
    );

    const problems = await accessibilityProblems(page);

    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['image-alt', 'label']);
  });

  it('serves deep links as the app, with a CSP naming only the APIs and the issuer', async () => {
    const { cloud } = demo().platform;
    const response = await fetch(`${demo().origin}/console/tenants`);
    const csp = response.headers.get('content-security-policy') ?? '';

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="app">');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(
      `connect-src 'self' ${new URL(cloud.apiEndpoint).origin} ${new URL(cloud.siloApiEndpoint).origin} ${cloud.issuer.issuer}`,
    );
    expect((await fetch(`${demo().origin}/console/assets/missing.js`)).status).toBe(404);
  });
});
