/**
 * Lambda's 4 KB for all of a function's environment variables, checked at synth for every
 * function's WHOLE environment as deployed (longest realistic names): many long CORS origins
 * (each function that answers browsers carries them all) fail synth with a readable message,
 * not the deploy.
 */
import { describe, expect, it } from 'vitest';
import { isRecord } from '../../lambdas/is-record.js';
import { LAMBDA_ENVIRONMENT_MAX_BYTES } from '../../lib/house-function.js';
import { deployedTemplateValue } from '../../lib/template/deployed-rendering.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';

const origins = (count: number) =>
  Array.from({ length: count }, (_, i) => `https://tenant-portal-${i}.${'a'.repeat(40)}.example.com`).join(
    ',',
  );

const synth = (count: number) =>
  synthesizeBulkheadTemplate({ context: { 'bulkhead:corsOrigins': origins(count) }, nagChecks: false });

describe('the functions’ environment size', () => {
  it('accepts a few CORS origins, every function’s environment under 4 KB as deployed', () => {
    const template = synth(8);

    const sizes = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => {
        const environment = deployedTemplateValue(resource.Properties?.Environment);
        const variables = isRecord(environment) ? environment.Variables : undefined;
        return Buffer.byteLength(JSON.stringify(variables ?? {}));
      });
    expect(sizes.length).toBeGreaterThan(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_MAX_BYTES);
  });

  it('refuses at synth more CORS origins than fit, naming the function, its size and the largest variables', () => {
    expect(() => synth(30)).toThrow(
      new RegExp(
        `\\[Bulkhead/ControlFunction\\] the environment of lambdas/handlers/control\\.ts would take \\d+ bytes once deployed, more than Lambda's ${LAMBDA_ENVIRONMENT_MAX_BYTES} .*\\(largest: CORS_ORIGINS \\d+, .*bulkhead:corsOrigins`,
      ),
    );
  });
});
