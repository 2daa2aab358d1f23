/** Where the repository lives, so constructs and synth find sources regardless of the working directory. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (this file sits in `lib/`). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Absolute path of a repo-relative path. */
export function repoPath(relativePath: string): string {
  return join(REPO_ROOT, relativePath);
}
