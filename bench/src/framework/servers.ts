import { type ServerKind, startServers } from '@oncely/integration-tests/servers';

export type { ServerKind };

/** The endpoints a scenario may use; a kind is present only when some scenario needed it. */
export interface ServerEndpoints {
  /** `http://127.0.0.1:port` of DynamoDB Local. */
  readonly dynamodb?: string;
  /** `host:port` of each Kafka broker. */
  readonly kafka?: readonly string[];
}

/** Servers started for one bench run. */
export interface BenchServers {
  readonly endpoints: ServerEndpoints;
  /** Stops what was started (servers given by the environment are left alone). */
  stop(): Promise<void>;
}

/**
 * Starts the servers the selected scenarios need, once for the whole run, through the
 * project's launcher: endpoints from the environment (`DYNAMODB_ENDPOINT`,
 * `KAFKA_BROKERS`) are used as they are, else Docker, else local JVM processes.
 *
 * @example
 * const servers = await startBenchServers(['dynamodb'], console.error);
 * try { ... servers.endpoints.dynamodb ... } finally { await servers.stop(); }
 */
export async function startBenchServers(
  kinds: readonly ServerKind[],
  log: (line: string) => void,
): Promise<BenchServers> {
  if (kinds.length === 0) return { endpoints: {}, stop: async () => undefined };
  const running = await startServers([...kinds], { log });
  return {
    endpoints: {
      ...(running.dynamodb ? { dynamodb: running.dynamodb.endpoint } : {}),
      ...(running.kafka ? { kafka: running.kafka.brokers } : {}),
    },
    stop: () => running.stop(),
  };
}

/**
 * The endpoint of `kind`, or an error naming the scenario that forgot to list it.
 *
 * @example
 * const endpoint = requireEndpoint(context.servers, 'dynamodb', 'lambda-sqs');
 */
export function requireEndpoint<K extends keyof ServerEndpoints>(
  endpoints: ServerEndpoints,
  kind: K,
  scenario: string,
): NonNullable<ServerEndpoints[K]> {
  const endpoint = endpoints[kind];
  if (endpoint === undefined) {
    throw new Error(`scenario "${scenario}" needs ${kind} but it was not started`);
  }
  return endpoint as NonNullable<ServerEndpoints[K]>;
}
