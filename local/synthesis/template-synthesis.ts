/**
 * Synthesizes the bulkhead templates in a worker thread, so loading aws-cdk-lib and running the
 * synth (seconds of CPU) overlap with the emulators starting instead of blocking the main thread.
 */
import { fileURLToPath } from 'node:url';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import type { SynthOptions } from '../../lib/template/synthesize.js';
import { startTsxWorker } from '../tsx-worker.js';
import type { SynthesisReply } from './template-synthesis-worker.js';

/** What the local cloud deploys: the platform, and the silo template its placement job creates stacks from. */
export interface LocalTemplates {
  readonly platform: CfnTemplate;
  readonly silo: CfnTemplate;
}

/** The platform template `synthesizeBulkheadTemplate(options)` returns and the silo template, synthesized off the main thread. */
export function synthesizeInWorker(options: SynthOptions): Promise<LocalTemplates> {
  const worker = startTsxWorker(fileURLToPath(new URL('./template-synthesis-worker.ts', import.meta.url)), {
    workerData: options,
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (reply: SynthesisReply) => {
      if ('templates' in reply) resolve(reply.templates);
      else reject(new Error(`template synthesis failed: ${reply.error}`));
      void worker.terminate();
    });
    worker.once('error', (err) =>
      reject(new Error(`template synthesis failed: ${err.message}`, { cause: err })),
    );
    worker.once('exit', (code) => reject(new Error(`template synthesis worker exited (${code})`)));
  });
}
