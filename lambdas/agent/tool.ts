/**
 * What an agent tool is: a name, the roles that may call it, a strict input
 * schema (no tenant or user ids: identity comes only from the context), and a
 * `run` that reaches data only through the caller's scoped services.
 */
import type { z } from 'zod';
import type { EventAudit } from '../audit/request-audit.js';
import type { Action } from '../authorization/action-table.js';
import type { DocumentLibrary } from '../documents/document-library.js';
import type { LongTermMemory } from '../memory/long-term-memory.js';
import type { MonthlyUsage } from '../metering/monthly-usage.js';
import type { RequestContext } from '../tenancy/request-context.js';
import type { Approvals } from './approvals.js';
import type { JsonValue } from './converse-model.js';

/** The caller's scoped services, the only way a tool reaches data. */
export interface ToolServices {
  readonly documents: Pick<DocumentLibrary, 'search' | 'delete'>;
  readonly memory: Pick<LongTermMemory, 'list' | 'remember'>;
  readonly usage: Pick<MonthlyUsage, 'current'>;
  /** Every tool call is audited, whatever its outcome (fail open). */
  readonly audit: EventAudit;
  /** Where a side-effecting call waits for its user once untrusted content entered the turn. */
  readonly approvals?: Pick<Approvals, 'request'>;
}

export interface Citation {
  readonly documentId: string;
  readonly title: string;
  readonly chunk: number;
}

export interface ToolOutput {
  readonly data: JsonValue;
  readonly citations?: readonly Citation[];
}

export interface AgentTool<Input> {
  readonly name: string;
  readonly description: string;
  /** The action it takes, from the one authorization table (the REST route for it checks the same). */
  readonly action: Action;
  /** It changes something: after untrusted content entered the turn, it runs only once its user approves. */
  readonly sideEffects: boolean;
  /** Strict: unknown keys (a `tenantId`, say) are rejected. */
  readonly inputSchema: z.ZodType<Input>;
  run(context: RequestContext, input: Input, services: ToolServices): Promise<ToolOutput>;
}
