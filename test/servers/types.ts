/** A server the launcher can provide for tests, benchmarks and chaos runs. */
export type ServerKind = 'dynamodb' | 'sqs' | 'kafka';

/** Every kind, in the order they are reported. */
export const ALL_SERVER_KINDS: readonly ServerKind[] = ['dynamodb', 'sqs', 'kafka'];

/**
 * Where a server came from: an endpoint in the environment, a container from a Docker engine,
 * or a local JVM process from the Maven jars.
 */
export type ServerSource = 'env' | 'docker' | 'jvm';

/** The servers started by {@link startServers}; a kind is present only when it was asked for. */
export interface RunningServers {
  dynamodb?: { endpoint: string; source: ServerSource };
  sqs?: { endpoint: string; source: ServerSource };
  kafka?: { brokers: string[]; source: ServerSource };
  /** Directory holding the server logs (and the servers' scratch data) of this run. */
  logDir: string;
  /** Stops every server this call started (never ones given by the environment). Idempotent. */
  stop(): Promise<void>;
}

/** Options for {@link startServers}. */
export interface StartOptions {
  /** Receives one line per notable step (jar fetch, server ready). @default no output */
  log?: (line: string) => void;
  /**
   * How long one server may take to answer its health check after it was spawned; the jar
   * fetch does not count. @default 90_000
   */
  readyTimeoutMs?: number;
}

/** One started server, as the per-source starters return it. */
export interface StartedServer {
  kind: ServerKind;
  source: ServerSource;
  /** `http://host:port` for DynamoDB and SQS, `host:port` list for Kafka. */
  endpoint: string | string[];
  stop(): Promise<void>;
}

/** What a starter needs from the run. */
export interface StartContext {
  /** Per-run temp directory: logs and scratch data. */
  runDir: string;
  log: (line: string) => void;
  readyTimeoutMs: number;
}
