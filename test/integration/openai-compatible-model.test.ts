/**
 * A real model locally (`npm start -- --model-endpoint …`): this file runs its own local cloud
 * with its Bedrock calls answered by an OpenAI-compatible server — a fake one written for the
 * test — behind the same front door. A chat whose model calls a tool, and a streamed one, go
 * through it end to end; the server receives the translated requests (tools offered, the tool
 * result sent back), the API carries the server's text, and the calls are metered and tagged
 * for the caller's tenant exactly as Bedrock calls are. A server that fails answers 503, not 500.
 */
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseStreamCommand,
  ModelStreamErrorException,
} from '@aws-sdk/client-bedrock-runtime';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantCostsSchema } from '../../lambdas/metering/tenant-costs.js';
import { parseModelCatalog } from '../../lambdas/models/model-catalog.js';
import type { DemoIdentity } from '../../local/emulators/jwt-issuer.js';
import { type LocalCloud, startLocalCloud } from '../../local/local-cloud.js';
import {
  type FakeOpenAiServer,
  type FakeRequest,
  startFakeOpenAiServer,
} from '../support/fake-openai-server.js';
import { callerOf } from './support/json-request.js';
import { uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenant = `oai-${suffix}`;
const operator: DemoIdentity = { sub: 'ops-oai', tenantId: 'platform', groups: ['operator'] };
const admin: DemoIdentity = { sub: 'adam', tenantId: tenant, groups: ['admin'] };
const analyst: DemoIdentity = { sub: 'alice', tenantId: tenant, groups: ['analyst'] };
const marker = `anvil${suffix}`;
const handbookText = `Acme handbook: ${marker} crates ship on Tuesdays.`;
const SEARCH_USAGE = { prompt: 30, completion: 8 };
const ANSWER_USAGE = { prompt: 41, completion: 12 };
/** A stream that starts an answer and ends without finishing it. */
const BROKEN_STREAM = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'Half an' } }] })}\n\n`;

interface FakeMessage {
  readonly role: string;
  readonly content: string | null;
  readonly tool_call_id?: string;
  readonly tool_calls?: { id: string; function: { name: string; arguments: string } }[];
}

const messagesOf = (request: FakeRequest) => request.body.messages as FakeMessage[];

/**
 * The scripted model: asked about anvils, it searches the documents; handed the search's result,
 * it answers from it; told the server is down, the server fails.
 */
function respond(request: FakeRequest) {
  const messages = messagesOf(request);
  const toolResult = messages.findLast((message) => message.role === 'tool');
  if (toolResult !== undefined) {
    const found = toolResult.content?.includes(handbookText) ? handbookText : 'nothing';
    return { kind: 'reply', text: `From your documents: ${found}`, usage: ANSWER_USAGE } as const;
  }
  const asked = messages.at(-1)?.content ?? '';
  if (asked.includes('server down')) return { kind: 'status', status: 500, body: 'out of memory' } as const;
  if (asked.includes('break off')) return { kind: 'raw-stream', body: BROKEN_STREAM } as const;
  if (asked.includes('anvils')) {
    return {
      kind: 'reply',
      toolCalls: [
        { id: `call_${suffix}`, name: 'search_documents', arguments: JSON.stringify({ query: marker }) },
      ],
      usage: SEARCH_USAGE,
    } as const;
  }
  return { kind: 'reply', text: 'A plain answer.' } as const;
}

let fake: FakeOpenAiServer;
let cloud: LocalCloud;

const call = callerOf(() => cloud);

/** The streaming chat's server-sent events, parsed. */
async function streamChat(as: DemoIdentity, message: string) {
  const response = await fetch(`${cloud.apiEndpoint}/v1/chat/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await cloud.issuer.mint(as)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: { event: string; data: unknown }[] = [];
  const parsed = (response.body ?? new ReadableStream<Uint8Array>())
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  for await (const event of parsed)
    events.push({ event: event.event ?? 'message', data: JSON.parse(event.data) });
  return { status: response.status, events };
}

/** A Bedrock client on this cloud's front door with alice's tenant session, as the api function makes it. */
async function tenantBedrock(): Promise<{ bedrock: BedrockRuntimeClient; modelId: string }> {
  const api = cloud.model.functions.find((fn) => fn.entry === 'lambdas/handlers/api.ts');
  if (api === undefined) throw new Error('no api function');
  const base = { endpoint: cloud.endpoint, region: cloud.region, maxAttempts: 1 };
  const { Credentials } = await new STSClient({
    ...base,
    credentials: cloud.functionCredentials(api.logicalId),
  }).send(
    new AssumeRoleCommand({
      RoleArn: cloud.model.tenantRoleArn,
      RoleSessionName: 'oai-alice',
      Tags: [
        { Key: 'TenantId', Value: tenant },
        { Key: 'UserId', Value: analyst.sub },
        { Key: 'Placement', Value: 'pool' },
      ],
    }),
  );
  if (Credentials?.AccessKeyId === undefined || Credentials.SecretAccessKey === undefined)
    throw new Error('no session');
  const credentials = {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
  };
  return {
    bedrock: new BedrockRuntimeClient({ ...base, credentials, requestHandler: new NodeHttpHandler() }),
    modelId: defaultChatModel(api.environment),
  };
}

/** The default chat model of a function's environment (the first of its `MODEL_CATALOG`'s chat models). */
function defaultChatModel(environment: Readonly<Record<string, string>>): string {
  const parsed = parseModelCatalog(JSON.parse(environment.MODEL_CATALOG ?? 'null'), 'MODEL_CATALOG');
  if (parsed.catalog === undefined) throw new Error(parsed.problems.join('; '));
  return parsed.catalog.chatModels[0];
}

const chatRequests = () => fake.requests.filter((request) => request.path === '/v1/chat/completions');

beforeAll(async () => {
  fake = await startFakeOpenAiServer({ respond, models: ['fake-llama'] });
  cloud = await startLocalCloud({ echoFunctionLogs: false, modelServer: { endpoint: fake.endpoint } });
  const onboarded = await call(operator, 'POST', '/v1/admin/tenants', {
    tenantId: tenant,
    name: 'OAI',
    tier: 'basic',
  });
  expect(onboarded.status).toBe(201);
  const uploaded = await call(admin, 'POST', '/v1/documents', {
    title: 'Acme handbook',
    content: handbookText,
    visibility: 'tenant',
  });
  expect(uploaded.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  await fake?.close();
});

describe('the local cloud with an OpenAI-compatible model server', () => {
  it('says which backend answers, with the model the server listed first', () => {
    expect(cloud.modelBackend).toBe(
      `OpenAI-compatible server ${fake.endpoint}, model fake-llama (embeddings: stand-in)`,
    );
  });

  it('runs a chat whose model calls a tool: the server is offered the tools and handed the result', async () => {
    const before = chatRequests().length;

    const answer = await call(analyst, 'POST', '/v1/chat', { message: 'Where are the anvils?' });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      reply: `From your documents: ${handbookText}`,
      toolCalls: [{ name: 'search_documents', status: 'success' }],
    });
    const [asked, answered] = chatRequests().slice(before);
    if (asked === undefined || answered === undefined) throw new Error('the server was not asked twice');
    expect(asked.body).toMatchObject({ model: 'fake-llama' });
    expect(asked.body.stream).toBeUndefined();
    const offered = (asked.body.tools as { function: { name: string } }[]).map((tool) => tool.function.name);
    expect(offered).toContain('search_documents');
    expect(messagesOf(asked)[0]?.role).toBe('system');
    const sentBack = messagesOf(answered);
    expect(sentBack.find((message) => message.role === 'assistant')?.tool_calls?.[0]).toMatchObject({
      id: `call_${suffix}`,
      function: { name: 'search_documents', arguments: JSON.stringify({ query: marker }) },
    });
    expect(sentBack.at(-1)).toMatchObject({ role: 'tool', tool_call_id: `call_${suffix}` });
    expect(sentBack.at(-1)?.content).toContain(handbookText);
  });

  it('streams a chat through the server: tool_calls deltas, then the answer as text events', async () => {
    const before = chatRequests().length;

    const answer = await streamChat(analyst, 'Stream me the anvils, please');

    expect(answer.status).toBe(200);
    expect(answer.events[0]).toEqual({
      event: 'tool',
      data: { name: 'search_documents', status: 'success' },
    });
    expect(answer.events.at(-1)?.event).toBe('done');
    const text = answer.events
      .filter((event) => event.event === 'text')
      .map((event) => (event.data as { text: string }).text)
      .join('');
    expect(text).toBe(`From your documents: ${handbookText}`);
    expect(
      chatRequests()
        .slice(before)
        .map((request) => request.body.stream_options),
    ).toEqual([{ include_usage: true }, { include_usage: true }]);
  });

  it('meters and tags every call for the caller’s tenant and user, exactly as the server reported it', async () => {
    const chats = cloud.modelRecord
      .requests()
      .filter((request) => request.operation !== 'invoke' && request.tenantId === tenant);
    const month = new Date().toISOString().slice(0, 7);

    const costs = TenantCostsSchema.parse((await call(admin, 'GET', `/v1/costs?month=${month}`)).body);

    // Two chats of two model calls each, made with alice's tenant session (its session tags).
    expect(
      chats.map(({ operation, tenantId, userId, usage }) => ({ operation, tenantId, userId, usage })),
    ).toEqual(
      [SEARCH_USAGE, ANSWER_USAGE, SEARCH_USAGE, ANSWER_USAGE].map((usage, n) => ({
        operation: n < 2 ? 'converse' : 'converse-stream',
        tenantId: tenant,
        userId: analyst.sub,
        usage: { inputTokens: usage.prompt, outputTokens: usage.completion },
      })),
    );
    // The platform's own metering (usage records → costs) equals what the model reported, embeddings included.
    const reported = cloud.modelRecord.usageOf(tenant);
    expect(costs.totals).toMatchObject({
      inputTokens: reported.inputTokens,
      outputTokens: reported.outputTokens,
      calls: reported.calls,
    });
    const alices = cloud.modelRecord
      .requests()
      .filter((request) => request.tenantId === tenant && request.userId === analyst.sub && request.usage)
      .reduce(
        (sum, { usage }) => ({
          inputTokens: sum.inputTokens + (usage?.inputTokens ?? 0),
          outputTokens: sum.outputTokens + (usage?.outputTokens ?? 0),
          calls: sum.calls + 1,
        }),
        { inputTokens: 0, outputTokens: 0, calls: 0 },
      );
    expect(costs.byUser.find((user) => user.userId === analyst.sub)).toMatchObject(alices);
    expect(costs.totals.costUsd).toBeGreaterThan(0);
  });

  it('keeps the front door: IAM still denies a model the tenant role does not allow, before the server is asked', async () => {
    const { bedrock } = await tenantBedrock();
    const before = fake.requests.length;

    const denied = bedrock.send(
      new ConverseStreamCommand({
        modelId: 'anthropic.claude-3-opus-20240229-v1:0',
        messages: [{ role: 'user', content: [{ text: 'hello' }] }],
      }),
    );

    await expect(denied).rejects.toBeInstanceOf(AccessDeniedException);
    expect(fake.requests.length).toBe(before);
  });

  it('ends a ConverseStream the server breaks off with ModelStreamErrorException, which the SDK raises', async () => {
    const { bedrock, modelId } = await tenantBedrock();
    const output = await bedrock.send(
      new ConverseStreamCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'break off' }] }] }),
    );
    let text = '';

    const reading = (async () => {
      for await (const event of output.stream ?? []) text += event.contentBlockDelta?.delta?.text ?? '';
    })();

    await expect(reading).rejects.toBeInstanceOf(ModelStreamErrorException);
    expect(text).toBe('Half an');
  });

  it('ends the API’s stream with an error event (a dependency fault, not an internal error) when the server breaks off', async () => {
    const answer = await streamChat(analyst, 'break off');

    expect(answer.status).toBe(200);
    expect(answer.events.at(-1)).toMatchObject({
      event: 'error',
      data: { error: { code: 'dependency_unavailable' } },
    });
  });

  it('answers a chat 503 with Retry-After when the model server fails, never 500', async () => {
    const answer = await call(analyst, 'POST', '/v1/chat', { message: 'server down' });

    expect(answer.status).toBe(503);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answer.body).toMatchObject({ error: { code: 'model_unavailable' } });
  });
});
