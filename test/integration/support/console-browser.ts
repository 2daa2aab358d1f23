/**
 * The web console in a real browser, for the console's tests: the whole demo platform as
 * `npm start` runs it (local cloud, console host, demo MCP and OAuth servers, seeded demo tenants
 * and people), and playwright-core driving the system Chromium headless. One per test file: the
 * console's origin must be among its cloud's CORS origins, and each file's demo data is its own.
 * Screenshots go to test-results/console/ (gitignored), each taken only once the elements that
 * make the view what it is are visible.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { repoPath } from '../../../lib/repo-root.js';
import { type DemoPlatform, startDemoPlatform } from '../../../local/demo-platform.js';
import { chromiumCommand } from '../../../local/prerequisites.js';

export const SCREENSHOTS = repoPath('test-results/console');

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

export interface ConsoleDemo {
  readonly platform: DemoPlatform;
  readonly browser: Browser;
  /** The console's origin, e.g. `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** A page in a fresh browser context (no cookies, no storage), kept in `contexts` until closed. */
  newPage(): Promise<Page>;
  /** Opens `path` in a fresh browser context and signs in as the demo person `login` through the issuer's pages. */
  signedIn(path: string, login: string): Promise<Page>;
  /** The browser contexts open now, oldest first. */
  readonly contexts: readonly BrowserContext[];
  /** Closes the contexts opened after the first `keep` of `contexts`. */
  closeContexts(keep: number): Promise<void>;
  stop(): Promise<void>;
}

/** Every answer of 400 or more a page received, for the report of a failed test. */
const refusedResponses = new WeakMap<Page, string[]>();

/** What the pages of `contexts` show when a test failed: address, alerts, refused requests. */
async function whatPagesShow(contexts: readonly BrowserContext[]): Promise<string> {
  const lines: string[] = [];
  for (const page of contexts.flatMap((context) => context.pages())) {
    const alerts = await page
      .getByRole('alert')
      .allTextContents()
      .catch(() => []);
    lines.push(
      `${page.url()}`,
      ...alerts.map((alert) => `  alert: ${alert}`),
      ...(refusedResponses.get(page) ?? []).map((refused) => `  answered: ${refused}`),
    );
  }
  return lines.join('\n');
}

/** Starts the demo platform and a headless Chromium (allow ~4 minutes on a loaded 2-core machine). */
export async function startConsoleDemo(): Promise<ConsoleDemo> {
  const [command] = await Promise.all([
    chromiumCommand().then(executablePath),
    mkdir(SCREENSHOTS, { recursive: true }),
  ]);
  const platform = await startDemoPlatform({ echoFunctionLogs: false });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: command, headless: true });
  } catch (err) {
    await platform.stop();
    throw err;
  }
  const origin = platform.webConsole.origin;
  const contexts: BrowserContext[] = [];
  const newPage = async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('response', (response) => {
      if (response.status() >= 400)
        refusedResponses.set(page, [
          ...(refusedResponses.get(page) ?? []),
          `${response.request().method()} ${response.url()} ${response.status()}`,
        ]);
    });
    return page;
  };
  return {
    platform,
    browser,
    origin,
    contexts,
    newPage,
    async closeContexts(keep) {
      await Promise.all(contexts.splice(keep).map((context) => context.close()));
    },
    async signedIn(path, login) {
      const page = await newPage();
      await page.goto(`${origin}${path}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill('demo');
      await page.locator('button[type="submit"]').click();
      await page.locator('button[type="submit"]').click(); // the confirm page
      await page.waitForURL(`${origin}${path}`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      return page;
    },
    async stop() {
      await browser.close();
      await platform.stop();
    },
  };
}

/**
 * The demo of one test file: started before its first test (allow 4 minutes), stopped after its
 * last; the browser contexts a test opens are closed after it (those opened in `beforeAll` stay).
 * Returns an accessor, valid inside the file's tests and hooks.
 */
export function useConsoleDemo(): () => ConsoleDemo {
  let demo: ConsoleDemo | undefined;
  let kept = 0;
  const current = () => {
    if (demo === undefined) throw new Error('the console demo did not start (see beforeAll)');
    return demo;
  };
  beforeAll(async () => {
    demo = await startConsoleDemo();
  }, 240_000);
  beforeEach(() => {
    kept = current().contexts.length;
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && demo !== undefined)
      console.error(
        `${task.name}: what the browser showed\n${await whatPagesShow(demo.contexts.slice(kept))}`,
      );
    await demo?.closeContexts(kept);
  });
  afterAll(() => demo?.stop());
  return current;
}

/** Nothing of the sign-in is left in storage: no localStorage at all, no token in sessionStorage. */
export const storage = (page: Page) =>
  page.evaluate<{ local: number; session: string }>(
    "({ local: localStorage.length, session: Object.values(sessionStorage).join(' ') })",
  );

/**
 * Polls `read` until the assertion chained after it holds: `await settles(() => rows.count()).toBe(2)`.
 * 15 s, not vitest's default 1 s — the machine running these tests is loaded.
 */
export const settles = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** Waits until `locator`'s text matches, then returns it (a web-first assertion, with `settles`). */
export async function textOf(locator: Locator, expected: string | RegExp): Promise<string> {
  await settles(async () => ((await locator.count()) > 0 ? await locator.first().textContent() : '')).toMatch(
    expected,
  );
  return (await locator.first().textContent()) ?? '';
}

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core finds against WCAG 2.x A and AA on the page as it is now, serious and critical
 * findings only, one line each (`color-contrast: … at #tier-filter`). axe is evaluated through the
 * DevTools protocol, so the console's CSP (which would refuse an injected script) stays on.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(await AXE_SOURCE);
  return page.evaluate(async () => {
    const { axe } = globalThis as unknown as {
      axe: {
        run(options: object): Promise<{
          violations: { id: string; impact?: string; help: string; nodes: { target: string[] }[] }[];
        }>;
      };
    };
    const { violations } = await axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return violations
      .filter((found) => found.impact === 'serious' || found.impact === 'critical')
      .map(
        (found) =>
          `${found.id}: ${found.help} at ${found.nodes.map((node) => node.target.join(' ')).join(', ')}`,
      );
  });
}

/**
 * Writes test-results/console/<name>.png once every one of `shows` is visible — what makes the
 * view what it is, checked by role and label rather than by pixels — no error is announced and
 * axe-core finds no serious accessibility problem, at the desktop width and at a phone's.
 */
export async function screenshotOf(page: Page, name: string, shows: readonly Locator[]): Promise<void> {
  for (const locator of shows) await locator.first().waitFor({ state: 'visible', timeout: 15_000 });
  expect(await page.getByRole('alert').count(), `${name}: an error is shown`).toBe(0);
  expect(await accessibilityProblems(page), `${name}: accessibility`).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    for (const locator of shows) expect(await locator.first().isVisible(), `${name}: on a phone`).toBe(true);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow, `${name}: the page scrolls sideways on a phone`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-phone.png`, fullPage: true });
  } finally {
    if (desktop !== null) await page.setViewportSize(desktop);
  }
}
