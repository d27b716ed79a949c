/**
 * A private `redis-server` for tests and benches that must crash, restart or count a
 * server: on a free port of 127.0.0.1, nothing kept on disk, killed when the process exits.
 * Never the shared service on 6379, which other runs use at the same time.
 *
 * @example
 * import { startRedisServer } from '@oncely/test-support/redis-server';
 *
 * const server = await startRedisServer();
 * // ... connect to server.url ...
 * await server.kill(); // SIGKILL: in-memory data gone
 * await server.start(); // the same port again, empty
 * await server.stop();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A private Redis server process. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Kills the process with SIGKILL (no shutdown, no save) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing was persisted). */
  start(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
  /** Sends one inline command (e.g. `SCRIPT FLUSH`) and returns the raw reply. */
  command(text: string): Promise<string>;
  /**
   * `INFO stats` counters, e.g. `total_reads_processed`, read over one kept connection, so
   * each call adds exactly one read and one command to the counters it reads.
   */
  stats(): Promise<Record<string, number>>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** The server binary. @default process.env.REDIS_SERVER_BIN ?? 'redis-server' */
  readonly binary?: string;
  /** More `redis-server` arguments, e.g. `['--maxmemory', '1mb']`. @default [] */
  readonly args?: readonly string[];
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends one inline command over a fresh socket and returns the raw reply. */
function rawCommand(port: number, command: string, timeoutMs = 1_000): Promise<string> {
  const connection = rawConnection(port, timeoutMs);
  return connection.send(command).finally(() => connection.close());
}

/** A reply is whole at its first CRLF (a simple reply), or once a bulk reply's length is in. */
function replyLength(reply: string): number | undefined {
  const bulk = /^\$(\d+)\r\n/.exec(reply);
  if (bulk) {
    const length = bulk[0].length + Number(bulk[1]) + 2;
    return Buffer.byteLength(reply) >= length ? length : undefined;
  }
  const end = reply.indexOf('\r\n');
  return end < 0 ? undefined : end + 2;
}

/**
 * One socket for inline commands, sent one at a time. Kept open between commands, so each
 * costs the server exactly one read (a socket per command would add its connect and EOF).
 * The timeout runs only while a reply is awaited: an idle connection stays open.
 */
function rawConnection(port: number, timeoutMs = 1_000) {
  const socket = connect({ host: '127.0.0.1', port });
  let buffered = Buffer.alloc(0);
  let failure: Error | undefined;
  let waiting: { resolve: (reply: string) => void; reject: (error: Error) => void } | undefined;
  let queue = Promise.resolve();
  const fail = (error: Error) => {
    failure ??= error;
    waiting?.reject(failure);
    waiting = undefined;
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the connection to redis-server closed')));
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    const length = replyLength(buffered.toString('utf8'));
    if (length === undefined || !waiting) return;
    const reply = buffered.subarray(0, length).toString('utf8');
    buffered = buffered.subarray(length);
    socket.setTimeout(0);
    waiting.resolve(reply);
    waiting = undefined;
  });
  return {
    /** True once the connection failed: make a new one. */
    get failed() {
      return failure !== undefined;
    },
    send(command: string): Promise<string> {
      const sent = queue.then(
        () =>
          new Promise<string>((resolve, reject) => {
            if (failure) return reject(failure);
            waiting = { resolve, reject };
            socket.setTimeout(timeoutMs, () =>
              socket.destroy(new Error(`no answer to ${command}`)),
            );
            socket.write(`${command}\r\n`);
          }),
      );
      queue = sent.then(
        () => undefined,
        () => undefined,
      );
      return sent;
    },
    close: () => socket.destroy(),
  };
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1 with `--save ""` and `--appendonly
 * no` (a restart forgets everything), and waits until it answers `PING`.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'no',
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  // The connection `stats` reads through, opened on first use after each start.
  let admin: ReturnType<typeof rawConnection> | undefined;
  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);

  const start = async () => {
    const started = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    let failed: Error | undefined;
    started.once('error', (error) => {
      failed = error;
    });
    for (let attempt = 0; attempt < 100; attempt++) {
      if (failed) throw new Error(`could not start ${binary}: ${failed.message}`);
      if (started.exitCode !== null) throw new Error(`${binary} exited with ${started.exitCode}`);
      const pong = await rawCommand(port, 'PING', 200).catch(() => '');
      if (pong.startsWith('+PONG')) return;
      await sleep(50);
    }
    throw new Error(`${binary} on port ${port} did not answer PING`);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    admin?.close();
    admin = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    async stop() {
      await kill();
      process.removeListener('exit', onExit);
    },
    command: (text) => rawCommand(port, text),
    async stats() {
      if (!admin || admin.failed) admin = rawConnection(port);
      const reply = await admin.send('INFO stats');
      const counters: Record<string, number> = {};
      for (const line of reply.split('\r\n')) {
        const [name, value] = line.split(':');
        if (name && value !== undefined && /^\d+$/.test(value)) counters[name] = Number(value);
      }
      return counters;
    },
  };
}
