import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const LAMBDAS = join(import.meta.dirname, '..', '..', 'lambdas');
/** Modules that hold domain logic: they reach AWS only through injected scoped clients. */
const DOMAIN_DIRS = [
  'admission',
  'agent',
  'audit',
  'conversations',
  'documents',
  'guardrails',
  'memory',
  'metering',
  'resilience',
  'routes',
];
const DOMAIN_FILES = ['registry/onboarding.ts', 'registry/tenant-record.ts', 'registry/tenant-directory.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Module specifiers of runtime and type imports (and re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1] ?? match[2] ?? '');
}

const files = sourceFiles(LAMBDAS);

describe('lambda code boundaries', () => {
  it('finds the lambda sources it checks', () => {
    expect(files.map((file) => relative(LAMBDAS, file))).toEqual(
      expect.arrayContaining(['handlers/api.ts', 'handlers/control.ts', 'handlers/authorizer.ts']),
    );
    expect(importsOf(join(LAMBDAS, 'handlers', 'authorizer.ts'))).toContain('../config.js');
  });

  it('keeps domain modules free of @aws-sdk imports', () => {
    const domain = files.filter((file) => {
      const path = relative(LAMBDAS, file);
      return DOMAIN_DIRS.some((dir) => path.startsWith(`${dir}/`)) || DOMAIN_FILES.includes(path);
    });
    const offending = domain.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => specifier.startsWith('@aws-sdk/'))
        .map((specifier) => `${relative(LAMBDAS, file)} → ${specifier}`),
    );

    expect(domain.length).toBeGreaterThanOrEqual(20);
    expect(offending).toEqual([]);
  });
});
