import {
  type ServiceInputTypes as BedrockInput,
  BedrockRuntimeClient,
  type ConverseCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  converseTurns,
  deadlineSignal,
  runAgent,
  STEP_LIMIT_REPLY,
  SYSTEM_PROMPT,
} from '../../lambdas/agent/agent-loop.js';
import type { ConverseModel } from '../../lambdas/agent/converse-model.js';
import { AgentDeadlineError } from '../../lambdas/agent/errors.js';
import { type AgentTool, type ToolServices, zodInput } from '../../lambdas/agent/tool.js';
import { TOOLS } from '../../lambdas/agent/tool-catalog.js';
import { UNTRUSTED_DATA_NOTE } from '../../lambdas/agent/tool-runner.js';
import {
  type RequestContext,
  type Role,
  requestContext,
  tenantTagFor,
} from '../../lambdas/tenancy/request-context.js';
import { ScopedModel } from '../../lambdas/tenancy/scoped-model.js';
import { captureShapedCommands, offlineClientConfig, type SentCommand } from './support/fake-sdk.js';
import { converseAnswer, isConverseInput, type ToolUseAnswer } from './support/scripted-model.js';

const DOCUMENT_ID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

function contextWith(...roles: Role[]): RequestContext {
  return requestContext({
    tenantId: 'acme',
    userId: 'alice',
    roles,
    tier: 'basic',
    requestId: 'req-1',
    tenantTag: tenantTagFor('acme', 'k'),
  });
}

function fakeServices() {
  return {
    documents: {
      search: vi.fn(async () => [
        { documentId: DOCUMENT_ID, title: 'Handbook', chunk: 0, text: 'Holidays: 30 days.', score: 0.9 },
      ]),
      delete: vi.fn(async () => undefined),
    },
    memory: {
      list: vi.fn(async () => [{ id: 'f1', fact: 'likes tea', createdAt: '2024-01-01T00:00:00.000Z' }]),
      remember: vi.fn(async (fact: string) => ({ id: 'f2', fact, createdAt: '2024-01-01T00:00:00.000Z' })),
    },
    usage: {
      current: vi.fn(async () => ({
        month: '2024-01',
        inputTokens: 1,
        outputTokens: 2,
        requests: 1,
        calls: 1,
        connectorCalls: 0,
        costUsd: 0.000001,
      })),
    },
    audit: { note: vi.fn(async () => undefined) },
  } satisfies ToolServices;
}

/** A ScopedModel over a real Bedrock client whose Converse calls get the scripted answers in turn. */
function scriptedModel(answers: ReadonlyArray<string | readonly ToolUseAnswer[]>) {
  const client = new BedrockRuntimeClient(offlineClientConfig);
  const sent: SentCommand<BedrockInput>[] = [];
  captureShapedCommands(
    client,
    () => converseAnswer(answers[Math.min(sent.length - 1, answers.length - 1)] ?? ''),
    sent,
  );
  const inputs = () => sent.map((command) => command.input).filter(isConverseInput);
  return { model: new ScopedModel(client, 'amazon.nova-lite-v1:0'), inputs };
}

function toolNames(input: ConverseCommandInput | undefined): string[] {
  return (input?.toolConfig?.tools ?? []).map((tool) => tool.toolSpec?.name ?? '');
}

async function agent(
  context: RequestContext,
  model: ConverseModel,
  options: {
    services?: ToolServices;
    signal?: AbortSignal;
    maxSteps?: number;
    tools?: ReadonlyArray<AgentTool<unknown>>;
  } = {},
) {
  return runAgent(
    {
      context,
      services: options.services ?? fakeServices(),
      history: [],
      message: 'hello',
      signal: options.signal ?? new AbortController().signal,
      limits: { maxSteps: options.maxSteps ?? 6 },
      ...(options.tools === undefined ? {} : { tools: options.tools }),
    },
    converseTurns(model),
  );
}

describe('agent tool catalog', () => {
  it.each([
    ['reader', ['search_documents', 'recall', 'remember', 'delete_document']],
    ['analyst', ['search_documents', 'recall', 'remember', 'get_my_usage', 'delete_document']],
    ['admin', ['search_documents', 'recall', 'remember', 'get_my_usage', 'delete_document']],
  ] as const)('sends the model exactly the %s tools', async (role, expected) => {
    const { model, inputs } = scriptedModel(['hi']);

    await agent(contextWith(role), model);

    expect(toolNames(inputs()[0])).toEqual(expected);
  });

  it('sends no tools to a caller without a role', async () => {
    const { model, inputs } = scriptedModel(['hi']);

    await agent(contextWith(), model);

    expect(inputs()[0]?.toolConfig).toBeUndefined();
  });

  it('declares strict input schemas that cannot carry a tenant or user id', async () => {
    const { model, inputs } = scriptedModel(['hi']);

    await agent(contextWith('admin'), model);

    for (const tool of inputs()[0]?.toolConfig?.tools ?? []) {
      const schema = JSON.stringify(tool.toolSpec?.inputSchema?.json);
      expect(tool.toolSpec?.inputSchema?.json).toMatchObject({ type: 'object', additionalProperties: false });
      expect(schema).not.toMatch(/tenant|userId/i);
    }
  });

  it('keeps tenant identity out of the system prompt', async () => {
    const { model, inputs } = scriptedModel(['hi']);

    await agent(contextWith('reader'), model);

    expect(inputs()[0]?.system).toEqual([{ text: SYSTEM_PROMPT }]);
    expect(SYSTEM_PROMPT).not.toMatch(/acme|alice/i);
  });
});

describe('agent tool execution', () => {
  it('refuses a tool the role does not allow, tells the model, and never runs it', async () => {
    const services = fakeServices();
    const { model, inputs } = scriptedModel([[{ name: 'get_my_usage', input: {} }], 'ok']);

    const result = await agent(contextWith('reader'), model, { services });

    expect(services.usage.current).not.toHaveBeenCalled();
    expect(result.toolCalls).toEqual([{ name: 'get_my_usage', status: 'refused' }]);
    expect(inputs()[1]?.messages?.at(-1)?.content?.[0]?.toolResult).toMatchObject({
      status: 'error',
      content: [{ json: { note: UNTRUSTED_DATA_NOTE, error: 'tool get_my_usage is not available' } }],
    });
  });

  it('runs an allowed tool for the same request', async () => {
    const services = fakeServices();
    const { model } = scriptedModel([
      [{ name: 'delete_document', input: { documentId: DOCUMENT_ID } }],
      'ok',
    ]);

    const result = await agent(contextWith('admin'), model, { services });

    expect(services.documents.delete).toHaveBeenCalledWith(DOCUMENT_ID);
    expect(result.toolCalls).toEqual([{ name: 'delete_document', status: 'success' }]);
  });

  it('rejects tool input that names a tenant or a user, without running the tool', async () => {
    const services = fakeServices();
    const { model, inputs } = scriptedModel([
      [
        { name: 'search_documents', input: { query: 'salaries', tenantId: 'globex' } },
        { name: 'remember', input: { fact: 'x', userId: 'bob' } },
      ],
      'ok',
    ]);

    const result = await agent(contextWith('analyst'), model, { services });

    expect(result.toolCalls).toEqual([
      { name: 'search_documents', status: 'invalid' },
      { name: 'remember', status: 'invalid' },
    ]);
    expect(services.documents.search).not.toHaveBeenCalled();
    expect(services.memory.remember).not.toHaveBeenCalled();
    const results = inputs()[1]?.messages?.at(-1)?.content ?? [];
    expect(results.map((block) => block.toolResult?.status)).toEqual(['error', 'error']);
  });

  it('returns tool output as untrusted JSON data and collects citations', async () => {
    const { model, inputs } = scriptedModel([
      [{ name: 'search_documents', input: { query: 'holidays' } }],
      'ok',
    ]);

    const result = await agent(contextWith('reader'), model);

    expect(inputs()[1]?.messages?.at(-1)?.content?.[0]?.toolResult).toMatchObject({
      status: 'success',
      content: [
        { json: { note: UNTRUSTED_DATA_NOTE, data: { matches: [{ documentId: DOCUMENT_ID, chunk: 0 }] } } },
      ],
    });
    expect(result).toMatchObject({
      reply: 'ok',
      citations: [{ documentId: DOCUMENT_ID, title: 'Handbook', chunk: 0 }],
      usage: { inputTokens: 20, outputTokens: 10 },
    });
  });
});

describe('a tool the tenant marked "requires approval"', () => {
  const ring = vi.fn(async () => ({ data: 'rang' }));
  const bell: AgentTool<unknown> = {
    name: 'ring_bell',
    description: 'Rings the office bell',
    action: 'connectors.use',
    roles: ['admin'],
    sideEffects: false,
    requiresApproval: true,
    ...zodInput(z.object({}).strict()),
    run: ring,
  };

  it('waits for its user even before any untrusted content, and never runs unasked', async () => {
    const request = vi.fn(async (tool: string, input: unknown, reason: string) => ({
      id: 'a1',
      tool,
      input,
      reason,
      expiresAt: '2026-12-01T00:15:00.000Z',
    }));
    const services = { ...fakeServices(), approvals: { request, attachSession: vi.fn() } } as ToolServices;
    const { model } = scriptedModel([[{ name: 'ring_bell', input: {} }], 'ok']);

    const result = await agent(contextWith('admin'), model, { services, tools: [...TOOLS, bell] });

    expect(result.toolCalls).toEqual([{ name: 'ring_bell', status: 'pending_approval' }]);
    expect(result.pendingApproval?.reason).toContain('require approval');
    expect(ring).not.toHaveBeenCalled();
  });

  it('is refused when the request has nowhere to ask', async () => {
    const { model } = scriptedModel([[{ name: 'ring_bell', input: {} }], 'ok']);

    const result = await agent(contextWith('admin'), model, { tools: [...TOOLS, bell] });

    expect(result.toolCalls).toEqual([{ name: 'ring_bell', status: 'refused' }]);
    expect(ring).not.toHaveBeenCalled();
  });
});

describe('agent loop bounds', () => {
  it('stops after the step limit even when the model keeps calling tools', async () => {
    const { model, inputs } = scriptedModel([[{ name: 'recall', input: {} }]]);

    const result = await agent(contextWith('reader'), model, { maxSteps: 3 });

    expect(inputs()).toHaveLength(3);
    expect(result.reply).toBe(STEP_LIMIT_REPLY);
    expect(result.toolCalls).toHaveLength(2);
    expect(inputs()[0]?.inferenceConfig).toEqual({ maxTokens: 1024 });
  });

  it('makes no model call once the deadline has passed', async () => {
    const { model, inputs } = scriptedModel(['hi']);
    const expired = AbortSignal.abort();

    await expect(agent(contextWith('reader'), model, { signal: expired })).rejects.toBeInstanceOf(
      AgentDeadlineError,
    );
    expect(inputs()).toHaveLength(0);
  });

  it('aborts a model call that outlives the deadline', async () => {
    const hanging: ConverseModel = {
      modelId: 'slow',
      converse: (_request, { abortSignal }) =>
        new Promise((_resolve, reject) =>
          abortSignal?.addEventListener('abort', () => reject(abortSignal.reason)),
        ),
    };
    const started = Date.now();

    const run = agent(contextWith('reader'), hanging, { signal: deadlineSignal(1_100, 1_000) });

    await expect(run).rejects.toBeInstanceOf(AgentDeadlineError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
