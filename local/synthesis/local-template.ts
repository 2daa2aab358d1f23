/**
 * The templates the local cloud deploys: the platform's, and the silo template its placement job
 * creates stacks from (served to the local CloudFormation under the TemplateURL the placement
 * function is given). Synthesis costs seconds of CPU (aws-cdk-lib, cdk-nag), so it is done once
 * per state of the sources and reused until they change:
 *
 * - the platform template is synthesized with a placeholder issuer, so it does not depend on the port the local
 *   issuer gets (and can start before the issuer is up); `bindIssuer` puts the real one in;
 * - both are cached, in one file per context, under node_modules/.cache/, keyed by a hash of what
 *   synthesis reads (SOURCES) and one of the context.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRecord } from '../../lambdas/is-record.js';
import { REPO_ROOT, repoPath } from '../../lib/repo-root.js';
import { asCfnTemplate, type CfnTemplate } from '../../lib/template/cfn-template.js';
import type { FunctionSpec } from '../../lib/template/local-resolution.js';
import { type LocalTemplates, synthesizeInWorker } from './template-synthesis.js';

/**
 * Stands for the issuer's origin until the issuer is up: a loopback URL (the settings accept
 * plain http only there) whose path makes it unique in the template, so it can be replaced.
 */
const ISSUER_PLACEHOLDER = 'http://127.0.0.1:9/bulkhead-local-issuer-placeholder';
/**
 * Stands for the web console's origin (local/console-server.ts) among the CORS origins until its
 * port is known, for the same reason: a loopback origin on a port nothing listens on here.
 */
export const CONSOLE_ORIGIN_PLACEHOLDER = 'http://127.0.0.1:1';
const CONSOLE_ORIGIN_PATTERN = /http:\/\/127\.0\.0\.1:1(?![0-9])/g;
const CACHE_DIR = repoPath('node_modules/.cache/bulkhead-local');
/**
 * What synthesis reads: the stacks (lib/, bin/), the tenancy modules they import from lambdas/
 * (key layout, roles), the CDK config, the installed versions and the synthesis code here (it
 * decides what the cache file holds). Handler code is not read (bundling is skipped), so editing
 * it does not cost a new synth.
 */
const SOURCES = ['lib', 'bin', 'lambdas/tenancy', 'local/synthesis', 'cdk.json', 'package-lock.json'];

/** The environment variable that gives the placement function the silo template's URL. */
export const SILO_TEMPLATE_URL_VARIABLE = 'SILO_TEMPLATE_URL';

/**
 * The templates' JSON text (LocalTemplates) with the placeholder issuer and the given settings
 * (CDK context): from the cache, or synthesized and cached.
 */
export async function placeholderTemplates(
  audience: string,
  settings: Readonly<Record<string, unknown>> = {},
): Promise<string> {
  const context = {
    ...settings,
    'bulkhead:oidcIssuer': ISSUER_PLACEHOLDER,
    'bulkhead:oidcAudience': audience,
    'bulkhead:oidcJwksUrl': `${ISSUER_PLACEHOLDER}/.well-known/jwks.json`,
  };
  // Sources first: a change of sources drops every older file; each context keeps its own.
  const sources = await sourceHash();
  const contextHash = createHash('sha256').update(JSON.stringify(context)).digest('hex').slice(0, 16);
  const file = join(CACHE_DIR, `template-${sources}-${contextHash}.json`);
  try {
    return await readFile(file, 'utf8');
  } catch {
    // cdk-nag only validates, and `cdk synth` and `npm test` run it; skipping it halves a cold start.
    const text = JSON.stringify(await synthesizeInWorker({ context, nagChecks: false }));
    await keepOnly(file, `template-${sources}-`, text);
    return text;
  }
}

/**
 * The templates for an issuer running at `issuerOrigin` (e.g. `http://127.0.0.1:4510`), and the
 * console at `consoleOrigin` when it was synthesized with CONSOLE_ORIGIN_PLACEHOLDER.
 */
export function bindIssuer(
  templatesText: string,
  issuerOrigin: string,
  consoleOrigin?: string,
): LocalTemplates {
  const withIssuer = templatesText.replaceAll(ISSUER_PLACEHOLDER, issuerOrigin);
  const bound =
    consoleOrigin === undefined ? withIssuer : withIssuer.replace(CONSOLE_ORIGIN_PATTERN, consoleOrigin);
  const parsed: unknown = JSON.parse(bound);
  if (!isRecord(parsed)) throw new TypeError('the cached templates are not a JSON object');
  return { platform: asCfnTemplate(parsed.platform), silo: asCfnTemplate(parsed.silo) };
}

/**
 * The templates the local CloudFormation serves, by TemplateURL: the silo template under the URL
 * each function is given in SILO_TEMPLATE_URL (none when no function is).
 */
export function stackTemplatesByUrl(
  functions: readonly FunctionSpec[],
  silo: CfnTemplate,
): Map<string, CfnTemplate> {
  return new Map(
    functions.flatMap((fn) => {
      const url = fn.environment[SILO_TEMPLATE_URL_VARIABLE];
      return url === undefined ? [] : [[url, silo] as const];
    }),
  );
}

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const source of SOURCES) {
    const files = await sourceFiles(source);
    for (const file of files) hash.update(`\0${file}\0`).update(await readFile(join(REPO_ROOT, file)));
  }
  return hash.digest('hex').slice(0, 32);
}

/** A repo-relative file, or every file under a repo-relative directory, sorted. */
async function sourceFiles(source: string): Promise<string[]> {
  try {
    const entries = await readdir(repoPath(source), { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(REPO_ROOT.length))
      .sort();
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOTDIR') return [source];
    throw err;
  }
}

/** Writes the cache file (atomically) and drops templates of other source states (names not starting with `current`). */
async function keepOnly(file: string, current: string, text: string): Promise<void> {
  await mkdir(CACHE_DIR, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, text);
  await rename(partial, file);
  for (const name of await readdir(CACHE_DIR)) {
    if (name.startsWith('template-') && name.endsWith('.json') && !name.startsWith(current)) {
      await rm(join(CACHE_DIR, name), { force: true });
    }
  }
}
