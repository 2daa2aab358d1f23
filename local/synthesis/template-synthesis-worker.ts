/** Runs in a worker thread: synthesizes the template for the options in workerData and posts it back. */
import { parentPort, workerData } from 'node:worker_threads';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import { type SynthOptions, synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';

export type SynthesisReply = { readonly template: CfnTemplate } | { readonly error: string };

const port = parentPort;
if (port === null) throw new Error('template-synthesis-worker must run in a worker thread');
let reply: SynthesisReply;
try {
  reply = { template: synthesizeBulkheadTemplate(workerData as SynthOptions) };
} catch (err) {
  reply = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}
port.postMessage(reply);
