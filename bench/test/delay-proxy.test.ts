import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type DelayProxy, startDelayProxy } from '../src/delay-proxy.js';

/** An upper-casing echo server on 127.0.0.1: a real TCP peer for the proxy. */
async function startEcho(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on('data', (chunk) => socket.write(chunk.toString().toUpperCase()));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function through(proxy: DelayProxy, chunks: string[]): Promise<string> {
  const socket = net.connect(proxy.port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  for (const chunk of chunks) socket.write(chunk);
  socket.end();
  await new Promise((resolve) => socket.on('close', resolve));
  return received;
}

describe('startDelayProxy', () => {
  it('forwards every chunk, in order, both ways, and passes the end on', async () => {
    const echo = await startEcho();
    cleanups.push(echo.close);
    const proxy = await startDelayProxy({ target: `http://127.0.0.1:${echo.port}`, delayMs: 2 });
    cleanups.push(proxy.close);
    const chunks = Array.from({ length: 20 }, (_, index) => `chunk-${index};`);
    expect(await through(proxy, chunks)).toBe(chunks.join('').toUpperCase());
    expect(proxy.endpoint).toBe(`http://127.0.0.1:${proxy.port}`);
  });

  it('serves several connections at once', async () => {
    const echo = await startEcho();
    cleanups.push(echo.close);
    const proxy = await startDelayProxy({ target: `127.0.0.1:${echo.port}`, delayMs: 0 });
    cleanups.push(proxy.close);
    const answers = await Promise.all(['a', 'b', 'c'].map((name) => through(proxy, [name, name])));
    expect(answers).toEqual(['AA', 'BB', 'CC']);
  });

  it('refuses a negative delay and a target without a port', async () => {
    await expect(startDelayProxy({ target: '127.0.0.1:1', delayMs: -1 })).rejects.toThrow(
      RangeError,
    );
    await expect(startDelayProxy({ target: 'http://127.0.0.1' })).rejects.toThrow(/port/);
  });
});
