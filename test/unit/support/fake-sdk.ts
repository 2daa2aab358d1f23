/**
 * A fake at the SDK boundary: real SDK clients (real command classes, real
 * types) whose requests stop at the first middleware step, are recorded, and
 * are answered by the test. No request ever reaches the network.
 */
import type { MiddlewareStack } from '@smithy/types';

export interface SentCommand<Input> {
  readonly name: string;
  readonly input: Input;
}

export type Responder<Input, Output> = (command: SentCommand<Input>) => Output | Promise<Output>;

/** Records every command the client sends (into `sent`) and answers it with `respond`; returns the record. */
export function captureCommands<Input extends object, Output extends object>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  respond: Responder<Input, Output>,
  sent: SentCommand<Input>[] = [],
): SentCommand<Input>[] {
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = { name: context.commandName ?? 'unknown', input: args.input };
      sent.push(command);
      return { output: await respond(command), response: {} };
    },
    { step: 'initialize', name: 'captureCommands', priority: 'high' },
  );
  return sent;
}

/** SDK outputs all carry `$metadata`. */
export const metadata = { $metadata: {} } as const;

/** Static credentials for clients that never sign a real request. */
export const testCredentials = {
  accessKeyId: 'AKIDTEST',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiration: new Date('2100-01-01T00:00:00Z'),
};

/** Client options that keep a real SDK client offline. */
export const offlineClientConfig = { region: 'us-east-1', credentials: testCredentials } as const;

/**
 * Like captureCommands, for answers built by shape where the SDK's output
 * type asks for runtime classes a test cannot build without the network
 * (streaming bodies, blob adapters): the answer must have the members the
 * code under test reads.
 */
export function captureShapedCommands<Input extends object, Output extends object>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  respond: Responder<Input, object>,
  sent: SentCommand<Input>[] = [],
): SentCommand<Input>[] {
  // The one cast of the fakes: the deserializer that would build Output never runs here.
  return captureCommands(client, async (command) => (await respond(command)) as Output, sent);
}
