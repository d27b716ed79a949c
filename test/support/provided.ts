/**
 * What the integration global setup hands to test files. Kept apart from the setup itself so
 * test workers import these names without loading the launcher.
 */

/** What the integration tests get through `inject('oncelyServers')`. */
export interface ProvidedServers {
  /** False when this machine cannot start servers and the run is not CI: tests skip. */
  available: boolean;
  /** Why `available` is false. */
  skipReason?: string;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  kafkaBrokers?: string[];
  /** The PostgreSQL service, e.g. `postgres://postgres@127.0.0.1:5432/test`. */
  postgresUrl?: string;
  /** The Redis service, e.g. `redis://127.0.0.1:6379`. */
  redisUrl?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    oncelyServers: ProvidedServers;
  }
}

/** Set to '1' when integration tests must skip; for code that cannot call `inject`. */
export const SKIP_ENV = 'ONCELY_SKIP_SERVER_TESTS';
