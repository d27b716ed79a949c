/**
 * oncely's test-server launcher: real DynamoDB Local, ElasticMQ (SQS) and Apache Kafka for
 * tests, benchmarks and chaos runs. Each server comes, in this order, from an endpoint in the
 * environment, a Docker engine (testcontainers), or a local JVM process from Maven Central
 * (our machines and CI have Java and Maven but no Docker engine).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerAvailable, endpointFromEnv } from './availability.js';
import { startDockerServer } from './docker.js';
import { onHardExit } from './exit-hooks.js';
import { startJvmServer } from './jvm.js';
import type {
  RunningServers,
  ServerKind,
  StartContext,
  StartedServer,
  StartOptions,
} from './types.js';

export {
  type Availability,
  availability,
  ENDPOINT_ENV,
  endpointFromEnv,
} from './availability.js';
export { ServerStartError } from './processes.js';
export {
  ALL_SERVER_KINDS,
  type RunningServers,
  type ServerKind,
  type ServerSource,
  type StartOptions,
} from './types.js';

/** Default for {@link StartOptions.readyTimeoutMs}: generous for cold JVMs on slow CI. */
export const DEFAULT_READY_TIMEOUT_MS = 90_000;

function fromEnv(kind: ServerKind, value: string): StartedServer {
  // Used as is, no health check: the caller owns that server and its address.
  const brokers = () =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean);
  const endpoint = kind === 'kafka' ? brokers() : value;
  return { kind, source: 'env', endpoint, stop: async () => undefined };
}

async function startOne(kind: ServerKind, ctx: StartContext): Promise<StartedServer> {
  const given = endpointFromEnv(kind);
  if (given !== undefined) {
    ctx.log(`${kind}: using ${given} from the environment`);
    return fromEnv(kind, given);
  }
  return (await dockerAvailable()) ? startDockerServer(kind, ctx) : startJvmServer(kind, ctx);
}

function describeFailure(kind: ServerKind, reason: unknown): string {
  return `- ${kind}: ${reason instanceof Error ? reason.message : String(reason)}`;
}

/**
 * Starts the requested servers in parallel and resolves once each one answers. If any fails,
 * the others are stopped again and the error names every failure with the tail of its log.
 * Servers listen on 127.0.0.1, on free ports, and never outlive this process (exit, Ctrl-C,
 * SIGTERM, or even SIGKILL of this process all take them down).
 *
 * @param kinds - which servers; duplicates are ignored.
 * @param options - {@link StartOptions}.
 * @example
 * const servers = await startServers(['dynamodb', 'kafka'], { log: console.log });
 * try {
 *   const client = new DynamoDBClient({ endpoint: servers.dynamodb?.endpoint });
 * } finally {
 *   await servers.stop();
 * }
 */
export async function startServers(
  kinds: ServerKind[],
  options: StartOptions = {},
): Promise<RunningServers> {
  const runDir = await mkdtemp(join(tmpdir(), 'oncely-servers-'));
  const ctx: StartContext = {
    runDir,
    log: options.log ?? (() => undefined),
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
  };
  const wanted = [...new Set(kinds)];
  const results = await Promise.allSettled(wanted.map((kind) => startOne(kind, ctx)));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stopAll = () => Promise.allSettled(started.map((server) => server.stop()));

  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [[wanted[i]!, r.reason] as const] : [],
  );
  if (failures.length > 0) {
    await stopAll();
    const lines = failures.map(([kind, reason]) => describeFailure(kind, reason));
    throw new Error(`could not start test servers:\n${lines.join('\n')}\nserver logs: ${runDir}`, {
      cause: failures[0]?.[1],
    });
  }

  // Logs are kept only on request: a green run should leave nothing behind, even on Ctrl-C.
  const keepLogs = Boolean(process.env.ONCELY_KEEP_SERVER_LOGS);
  const removeRunDir = () => rmSync(runDir, { recursive: true, force: true });
  const forget = keepLogs ? () => false : onHardExit(removeRunDir);
  let stopping: Promise<void> | undefined;
  const running: RunningServers = {
    logDir: runDir,
    stop() {
      stopping ??= (async () => {
        await stopAll();
        forget();
        if (!keepLogs) await rm(runDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  for (const server of started) {
    const { endpoint, source } = server;
    if (server.kind === 'kafka') running.kafka = { brokers: [endpoint].flat(), source };
    else running[server.kind] = { endpoint: String(endpoint), source };
  }
  return running;
}
