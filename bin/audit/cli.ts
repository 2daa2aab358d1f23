/**
 * `npm run audit -- verify <export.json> [--public-key <key.pem|key.der>]`: the standalone audit
 * verifier. It checks an export of a tenant's trail (`GET /v1/audit/export`) offline — records,
 * chains, and every signed digest — and reports the first break, named. Pin the public key
 * (fetched once, kept apart from the exports) so an export cannot vouch for itself.
 *
 * Exit codes: 0 the trail verifies; 1 it does not (the problem is printed); 2 bad arguments or
 * an unreadable export.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AuditExportSchema, verifyAuditExport } from '../../lambdas/audit/audit-export.js';

export const USAGE = 'usage: npm run audit -- verify <export.json> [--public-key <key.pem|key.der>]';

export interface AuditCliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Promise<Buffer>;
}

export const nodeIo: AuditCliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path),
};

export async function runAuditCli(argv: readonly string[], io: AuditCliIo): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ options: { 'public-key': { type: 'string' } }; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { 'public-key': { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  const [command, file, ...extra] = parsed.positionals;
  if (command !== 'verify' || file === undefined || extra.length > 0) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  let exported: ReturnType<typeof AuditExportSchema.parse>;
  let pinned: Uint8Array | string | undefined;
  try {
    exported = AuditExportSchema.parse(JSON.parse((await io.readFile(file)).toString('utf8')));
    const keyFile = parsed.values['public-key'];
    if (keyFile !== undefined) {
      const key = await io.readFile(keyFile);
      pinned = key.toString('utf8').includes('-----BEGIN') ? key.toString('utf8') : key;
    }
  } catch (err) {
    io.stderr(`cannot read the export: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const verdict = verifyAuditExport(exported, pinned);
  if (verdict.ok) {
    io.stdout(
      `ok: ${verdict.records} records on ${exported.chains.length} chains, ${verdict.digests} signed digests, ${verdict.unsignedRecords} records not yet signed\n`,
    );
    return 0;
  }
  io.stdout(`BROKEN (${verdict.problem}): ${verdict.message}\n`);
  return 1;
}
