/** Builds the web console (packages/console, Vite) into packages/console/dist, as deploys will. */
import { build } from 'vite';
import { repoPath } from '../lib/repo-root.js';

export async function buildConsole(): Promise<void> {
  await build({ root: repoPath('packages/console'), logLevel: 'warn' });
}
