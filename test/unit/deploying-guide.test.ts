import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS } from '../../lib/bulkhead-settings.js';
import { repoPath } from '../../lib/repo-root.js';

const guide = readFileSync(repoPath('docs/deploying.md'), 'utf8');
const reference = guide.slice(guide.indexOf('### Configuration reference'), guide.indexOf('## 4. Deploy'));

describe('docs/deploying.md', () => {
  it('has a configuration reference', () => {
    expect(reference.length).toBeGreaterThan(100);
  });

  it.each(Object.values(CONTEXT_KEYS))('documents the context key %s with its default', (key) => {
    const row = reference.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${key}\``));
    expect(row, `${key} has no row in the configuration reference`).toBeDefined();
    // | key | default | meaning |: both the default and the meaning cells are filled in.
    const cells = (row ?? '').split('|').map((cell) => cell.trim());
    expect(cells[2]?.length ?? 0).toBeGreaterThan(0);
    expect(cells[3]?.length ?? 0).toBeGreaterThan(10);
  });
});
