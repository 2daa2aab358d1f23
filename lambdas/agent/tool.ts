/**
 * What an agent tool is: a name, the action (and, for a connector's tools, the
 * roles) that may call it, a strict input schema (no tenant or user ids:
 * identity comes only from the context), and a `run` that reaches data only
 * through the caller's scoped services. Built-in tools declare their input
 * with zod; a connector's tools with the JSON Schema their server published.
 */
import * as z from 'zod';
import type { EventAudit } from '../audit/request-audit.js';
import type { Action } from '../authorization/action-table.js';
import type { DocumentLibrary } from '../documents/document-library.js';
import { describeIssues } from '../http/body.js';
import type { LongTermMemory } from '../memory/long-term-memory.js';
import type { MonthlyUsage } from '../metering/monthly-usage.js';
import type { RequestContext, Role } from '../tenancy/request-context.js';
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
  readonly approvals?: Pick<Approvals, 'request' | 'attachSession'>;
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

export type ParsedInput<Input> =
  | { readonly success: true; readonly data: Input }
  | { readonly success: false; readonly error: string };

/** How a tool's input is described to the model and checked before every call. */
export interface ToolInput<Input> {
  /** The model-facing JSON Schema (a Converse `toolSpec.inputSchema.json`). */
  readonly inputJsonSchema: JsonValue;
  /** Strict: unknown keys (a `tenantId`, say) are rejected. */
  parseInput(input: unknown): ParsedInput<Input>;
}

export interface AgentTool<Input> extends ToolInput<Input> {
  readonly name: string;
  readonly description: string;
  /** The action it takes, from the one authorization table (the REST route for it checks the same). */
  readonly action: Action;
  /** Roles the tenant narrowed it to (a connector's role map), within what the action allows. @default the action's */
  readonly roles?: readonly Role[];
  /** It changes something: after untrusted content entered the turn, it runs only once its user approves. */
  readonly sideEffects: boolean;
  /** The tenant asked that every call of it waits for its user's approval. @default false */
  readonly requiresApproval?: boolean;
  run(context: RequestContext, input: Input, services: ToolServices): Promise<ToolOutput>;
}

/** A tool input declared with zod (the built-in tools). */
export function zodInput<Input>(schema: z.ZodType<Input>): ToolInput<Input> {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input' });
  return {
    inputJsonSchema: JSON.parse(JSON.stringify(jsonSchema)),
    parseInput(input) {
      const parsed = schema.safeParse(input);
      return parsed.success
        ? { success: true, data: parsed.data }
        : { success: false, error: describeIssues(parsed.error) };
    },
  };
}
