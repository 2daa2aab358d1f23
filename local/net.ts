/** Small loopback networking pieces shared by the emulators. */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export const LOOPBACK = '127.0.0.1';

/** Asks the OS for a free loopback port (for processes that cannot listen on port 0 themselves). */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  const port = await listenOnLoopback(probe, 0);
  await closeServer(probe);
  return port;
}

/** Listens on 127.0.0.1 (port 0 = any free port) and resolves to the bound port. */
export function listenOnLoopback(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('server has no TCP address'));
      else resolve(address.port);
    });
  });
}

/** Closes a server and every keep-alive connection it holds. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Reads a whole request body. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
