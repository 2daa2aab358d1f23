/**
 * The standalone audit verifier (see bin/audit/cli.ts):
 *
 *   npm run audit -- verify trail-export.json --public-key digest-key.pem
 */
import { nodeIo, runAuditCli } from './audit/cli.js';

process.exitCode = await runAuditCli(process.argv.slice(2), nodeIo);
