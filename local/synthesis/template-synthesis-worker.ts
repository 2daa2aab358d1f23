/**
 * Runs in a worker thread: synthesizes the platform template for the options in workerData, and
 * the silo template the platform creates stacks from, and posts both back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { siloTemplate } from '../../lib/silo-stack.js';
import { stackNameFromContext } from '../../lib/stack-name.js';
import { type SynthOptions, synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import type { LocalTemplates } from './template-synthesis.js';

export type SynthesisReply = { readonly templates: LocalTemplates } | { readonly error: string };

const port = parentPort;
if (port === null) throw new Error('template-synthesis-worker must run in a worker thread');
let reply: SynthesisReply;
try {
  const options = workerData as SynthOptions;
  reply = {
    templates: {
      platform: synthesizeBulkheadTemplate(options),
      silo: siloTemplate(stackNameFromContext((key) => options.context?.[key])),
    },
  };
} catch (err) {
  reply = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}
port.postMessage(reply);
