import { createServer } from 'node:net';

/** Ports this process already handed out, so parallel starts never get the same one twice. */
const handedOut = new Set<number>();

function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    // Port 0: the kernel picks a free one; we close and pass it on to the server we start.
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free TCP port on 127.0.0.1. Another process could still take it before our server binds
 * it; the window is short, and the server would then fail fast with "address in use".
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probe();
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
