import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA_PATH, generatedClientFiles } from '../../bin/client/client-sources.js';
import { repoPath } from '../../lib/repo-root.js';

describe('the generated client files', () => {
  it('are checked in exactly as `npm run client:generate` makes them from the endpoint declarations', async () => {
    const generated = await generatedClientFiles();

    expect(Object.keys(generated).length).toBeGreaterThanOrEqual(2);
    for (const [path, content] of Object.entries(generated)) {
      const checkedIn = await readFile(repoPath(path), 'utf8');
      // A mismatch means the declarations changed: run `npm run client:generate` and commit the result.
      expect(checkedIn === content, `${path} is stale: run npm run client:generate`).toBe(true);
    }
  });

  it('types the operations, the named schemas and the streamed chat’s events', async () => {
    const schema = (await generatedClientFiles())[CLIENT_SCHEMA_PATH] ?? '';

    expect(schema).toContain('"/v1/chat/stream": {');
    expect(schema).toMatch(/ChatStreamEvent: \{[\s\S]*?event: "text"/);
    expect(schema).toMatch(/TenantRecord: \{/);
    expect(schema).toContain('getPlatformCosts: {');
  });
});
