import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { ScopedModel } from '../../lambdas/tenancy/scoped-model.js';
import { sdkSessionClients } from '../../lambdas/tenancy/session-clients.js';
import { captureCommands, metadata, offlineClientConfig, testCredentials } from './support/fake-sdk.js';

describe('ScopedModel', () => {
  it('calls Converse with its fixed model id', async () => {
    const client = new BedrockRuntimeClient(offlineClientConfig);
    const sent = captureCommands(client, () => ({
      ...metadata,
      stopReason: 'end_turn',
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      metrics: { latencyMs: 1 },
      output: { message: { role: 'assistant', content: [{ text: 'hi' }] } },
    }));
    const model = new ScopedModel(client, 'amazon.nova-lite-v1:0');

    const output = await model.converse({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });

    expect(sent[0]).toMatchObject({ name: 'ConverseCommand', input: { modelId: 'amazon.nova-lite-v1:0' } });
    expect(output.stopReason).toBe('end_turn');
  });

  it('builds the session’s Bedrock client with the session credentials over HTTP/1.1', async () => {
    const client = sdkSessionClients.bedrock(testCredentials);

    const credentials = await client.config.credentials();

    expect(credentials.accessKeyId).toBe(testCredentials.accessKeyId);
    expect(credentials.sessionToken).toBe(testCredentials.sessionToken);
    expect(client.config.requestHandler.constructor.name).toBe('NodeHttpHandler');
  });
});
