/**
 * What every chaos scenario gets (the servers, a scratch directory, the seed) and what
 * it returns: the figures of the report table and the verdict behind them.
 */
import type { Verdict } from './verdict.js';

/** The servers and scratch space of a chaos run. */
export interface ChaosEnvironment {
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly kafkaBrokers: readonly string[];
  /** The PostgreSQL service (`POSTGRES_URL`, else the local one). */
  readonly postgresUrl: string;
  /** The Redis service (`REDIS_URL`, else the local one). */
  readonly redisUrl: string;
  /** A directory for this run's worker logs. */
  readonly workDir: string;
  readonly seed: number;
  /**
   * The negative control: workers key by broker-assigned IDs instead of event IDs, so
   * producer duplicates must show up as unexplained duplicates and the run must fail.
   */
  readonly brokerKeys: boolean;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

/** The figures of one scenario, one row of the report. */
export interface ScenarioResult {
  /** e.g. `sqs`, `kafka`, `store faults (maxAttempts 1)`. */
  readonly scenario: string;
  /** The store under the run: `dynamodb`, `postgres`, `redis`. */
  readonly store: string;
  readonly verdict: Verdict;
  /** Messages sent, producer duplicates included. */
  readonly messages: number;
  readonly deliveries: number;
  readonly redeliveries: number;
  /** SIGKILLs, and how many hit a handler in flight. */
  readonly crashes: number;
  readonly crashesMidHandler: number;
  /** Faults injected, by kind: handler throws, slow handlers, store faults by kind. */
  readonly faults: Readonly<Record<string, number>>;
  readonly takeovers: number;
  readonly leaseLost: number;
  /** Worker exits nobody asked for: must be 0. */
  readonly unexpectedExits: number;
  /** Whether every message was acknowledged before the deadline. */
  readonly drained: boolean;
  readonly durationMs: number;
  /** Anything else worth a line in the report. */
  readonly notes: readonly string[];
}

/** A scenario, store and mode the run leaves out, with why: a row of its own in the table. */
export interface NotRun {
  readonly scenario: string;
  readonly store: string;
  readonly mode: string;
  readonly reason: string;
}

/**
 * Whether a scenario passed: its verdict holds, every message was acknowledged in
 * time, and no worker died on its own.
 */
export function passed(result: ScenarioResult): boolean {
  return result.verdict.ok && result.drained && result.unexpectedExits === 0;
}

/** The sum of a fault map. */
export function totalFaults(faults: Readonly<Record<string, number>>): number {
  return Object.values(faults).reduce((sum, count) => sum + count, 0);
}
