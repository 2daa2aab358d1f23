/**
 * AWS calls per request, counted at the local cloud's front door (bench/aws-call-probes.ts):
 *
 *   npx tsx bench/aws-calls.ts   → bench/results/aws-calls.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { repoPath } from '../lib/repo-root.js';
import { measureAwsCallsPerRoute } from './aws-call-probes.js';

const SAMPLES = 5;

const { results, callsByService } = await measureAwsCallsPerRoute(SAMPLES, (result) =>
  console.log(
    `${result.route.padEnd(48)} ${String(result.awsCalls).padStart(3)} AWS calls  ${result.medianMs.toFixed(1)} ms`,
  ),
);
mkdirSync(repoPath('bench/results'), { recursive: true });
writeFileSync(
  repoPath('bench/results/aws-calls.json'),
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      node: process.version,
      samplesPerRoute: SAMPLES,
      results,
      callsByService,
    },
    null,
    2,
  )}\n`,
);
