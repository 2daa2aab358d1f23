/**
 * The functions' logs are captured, not printed, during the integration tests (BULKHEAD_ECHO_LOGS=1
 * prints them all). When a test fails, this prints the function errors logged while it ran —
 * each as one readable line with its request id, as `npm start` shows them — so a failure
 * comes with its cause and a passing run stays quiet. Files run in parallel: lines of other
 * tests running at the same time can be among them.
 */
import { beforeEach } from 'vitest';
import { formatFunctionError } from '../../../local/console-output.js';
import { capturedLogs } from './inspector.js';

beforeEach(async ({ onTestFailed }) => {
  const { latest } = await capturedLogs(Number.MAX_SAFE_INTEGER);
  onTestFailed(async () => {
    const errors = (await capturedLogs(latest)).lines.flatMap((line) => formatFunctionError(line) ?? []);
    if (errors.length > 0)
      console.error(
        `function errors logged while this test ran (any test running then):\n${errors.join('\n')}`,
      );
  });
});
