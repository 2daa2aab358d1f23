/** Worker threads that run TypeScript modules through tsx, as the rest of the local cloud does. */
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Starts a worker thread that registers tsx and imports `modulePath` (a TypeScript file). */
export function startTsxWorker(modulePath: string, options: Omit<WorkerOptions, 'eval'>): Worker {
  const moduleUrl = JSON.stringify(pathToFileURL(modulePath).href);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${moduleUrl}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
