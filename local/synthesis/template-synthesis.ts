/**
 * Synthesizes the bulkhead template in a worker thread, so loading aws-cdk-lib and running the
 * synth (seconds of CPU) overlap with the emulators starting instead of blocking the main thread.
 */
import { fileURLToPath } from 'node:url';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import type { SynthOptions } from '../../lib/template/synthesize.js';
import { startTsxWorker } from '../tsx-worker.js';
import type { SynthesisReply } from './template-synthesis-worker.js';

/** The template `synthesizeBulkheadTemplate(options)` returns, synthesized off the main thread. */
export function synthesizeInWorker(options: SynthOptions): Promise<CfnTemplate> {
  const worker = startTsxWorker(fileURLToPath(new URL('./template-synthesis-worker.ts', import.meta.url)), {
    workerData: options,
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (reply: SynthesisReply) => {
      if ('template' in reply) resolve(reply.template);
      else reject(new Error(`template synthesis failed: ${reply.error}`));
      void worker.terminate();
    });
    worker.once('error', (err) =>
      reject(new Error(`template synthesis failed: ${err.message}`, { cause: err })),
    );
    worker.once('exit', (code) => reject(new Error(`template synthesis worker exited (${code})`)));
  });
}
