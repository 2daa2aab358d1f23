/** `npm run client:generate`: writes the generated files of `@bulkhead/client` (client-sources.ts). */
import { writeFile } from 'node:fs/promises';
import { repoPath } from '../../lib/repo-root.js';
import { generatedClientFiles } from './client-sources.js';

for (const [path, content] of Object.entries(await generatedClientFiles())) {
  await writeFile(repoPath(path), content, 'utf8');
  console.log(`wrote ${path}`);
}
