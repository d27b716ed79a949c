/**
 * What the Kafka scenario suite and the Kafka bench need from a client: start a group
 * member running one of oncely's modes (or the bare client) on a topic, and stop it.
 * One driver per client binding (kafkajs, Confluent's KafkaJS API, @platformatic/kafka),
 * so every scenario and every bench row runs on each.
 */
import type {
  BatchProcessorOptions,
  KafkaDedupOptions,
  KafkaMessage,
  KeySource,
  WatermarkProcessorOptions,
} from '@oncely/kafka';

/**
 * Group timings short enough for tests: the broker allows sessions from 1 s, and a
 * member learns of a rebalance on its next heartbeat. Every driver uses them.
 */
export const FAST_GROUP = {
  sessionTimeout: 6_000,
  rebalanceTimeout: 6_000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 100,
} as const;

/** Which of oncely's modes a member runs, with its options; `bare` is the client alone. */
export type MemberMode =
  | { readonly kind: 'bare'; readonly handler: (message: KeySource) => Promise<unknown> }
  | { readonly kind: 'message'; readonly options: KafkaDedupOptions<KafkaMessage> }
  | { readonly kind: 'batch'; readonly options: BatchProcessorOptions<KafkaMessage> }
  | {
      readonly kind: 'watermark';
      readonly options: Omit<WatermarkProcessorOptions<KafkaMessage>, 'rebalances'>;
    };

/** A group member to start: where, what it runs, and how the group treats it. */
export interface MemberSpec {
  readonly groupId: string;
  readonly topic: string;
  readonly mode: MemberMode;
  /** `false`: the member never commits, like one that dies before each commit. @default true */
  readonly commit?: boolean;
  /** The group's rebalance timeout for this member, in ms. @default the harness's fast group */
  readonly rebalanceTimeout?: number;
  /**
   * Sees each error the mode threw for a batch or message; the member then retries it
   * (kafkajs retries the batch itself, the platformatic binding retries in place).
   */
  readonly onError?: (error: unknown) => void;
}

/** A running member. */
export interface Member {
  /** Stops it: it leaves the group, and the others rebalance. */
  stop(): Promise<void>;
  /**
   * Makes it lose its partitions while a handler still runs, as a member evicted from the
   * group does; the handler goes on. A client whose member cannot rejoin while a handler
   * runs (kafkajs) is evicted by the group's rebalance timeout alone, so this does nothing.
   */
  evict(): Promise<void>;
}

/** One client binding under test. */
export interface KafkaClientDriver {
  /** The client's name, as the suite prints it. */
  readonly name: string;
  /**
   * Whether a rebalance (or a stop) cuts a running batch short: kafkajs marks the batch
   * stale when its partition is revoked and `isRunning()` false when the consumer stops,
   * so the batch mode gives back the claims it took ahead. Confluent's KafkaJS API
   * (`false`) defers the revocation, and a disconnect, until the running batch has
   * returned, so a batch always ends whole.
   * @default true
   */
  readonly rebalanceCutsBatches?: boolean;
  /** Starts a member reading `spec.topic` from the beginning with fast group timeouts. */
  start(spec: MemberSpec): Promise<Member>;
  /** Stops every member it started. */
  close(): Promise<void>;
}

/**
 * Wraps a mode's handler so that `spec.onError` sees what it throws; the error is
 * rethrown, so the client retries as it would without the wrapper.
 */
export function reportErrors<P>(
  spec: MemberSpec,
  handle: (payload: P) => Promise<void>,
): (payload: P) => Promise<void> {
  return async (payload) => {
    try {
      await handle(payload);
    } catch (error) {
      spec.onError?.(error);
      throw error;
    }
  };
}
