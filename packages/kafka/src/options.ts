import {
  createDeduper,
  type Deduper,
  type DeduperOptions,
  type Duration,
  type RunContext,
} from '@oncely/core';
import {
  checkObject,
  nonEmptyString,
  optionalFunction,
  positiveDuration,
  requireFunction,
} from '@oncely/core/adapter';
import type { MessageKeyError } from './errors.js';
import { type KeyReader, type KeySource, keyReader, type MessageKey } from './keys.js';
import type { KafkaMessage, KafkaMessageContext } from './types.js';

/** The user's per-message handler. Its return value is the run's result. */
export type MessageHandler<M extends KafkaMessage = KafkaMessage, T = unknown> = (
  message: KafkaMessageContext<M>,
  context: RunContext,
) => Promise<T> | T;

/**
 * Takes a message whose key cannot be read (a poison message) off the partition,
 * e.g. by producing it to a dead-letter topic. When it resolves, the message
 * counts as handled and its offset is resolved; when it throws, the partition
 * stops at the message as if there were no `deadLetter`.
 */
export type DeadLetterHandler<M extends KafkaMessage = KafkaMessage> = (
  message: KeySource<M>,
  error: MessageKeyError,
) => Promise<void> | void;

/**
 * Options shared by {@link createEachMessageHandler} and {@link createEachBatchHandler}:
 * the deduper's options (store, ttl, fingerprint, transactional, events, ...) with
 * Kafka defaults, plus the handler, the key and how to wait.
 */
export interface KafkaDedupOptions<M extends KafkaMessage = KafkaMessage, T = unknown>
  extends Omit<DeduperOptions<KafkaMessageContext<M>>, 'namespace' | 'lease' | 'autoExtend'> {
  /** The consumer group's id; it names the default namespace. */
  readonly groupId: string;
  /** Runs once per message key; see {@link MessageHandler}. */
  readonly handler: MessageHandler<M, T>;
  /**
   * Where each message's dedup key comes from: `'offset'`, `{ header }`, `{ field }` or a
   * function (see {@link MessageKey}).
   * @default 'offset' (`topic/partition/offset`)
   */
  readonly key?: MessageKey<M>;
  /**
   * Scopes the keys in the store (`namespace#key`).
   * @default `kafka:${groupId}`
   */
  readonly namespace?: string;
  /**
   * The consumer's `sessionTimeout` in ms: the default lease. A crashed member's
   * partitions move after this long, so a claim it left behind expires about when
   * the next owner reaches the message.
   * @default 30000 (the kafkajs default)
   */
  readonly sessionTimeout?: number;
  /**
   * How long a claim is held while its handler runs (extended on a heartbeat while it does).
   * @default sessionTimeout
   */
  readonly lease?: Duration;
  /**
   * Extend the lease while the handler runs (see `@oncely/core`).
   * @default true
   */
  readonly autoExtend?: DeduperOptions['autoExtend'];
  /**
   * How long to wait for another member's live claim on the same key (after a
   * rebalance, the previous owner may still be running it) before giving up with
   * `InProgressError`, which leaves the partition where it is for the client to retry.
   * @default the lease
   */
  readonly inProgressTimeout?: Duration;
  /**
   * How often, in ms, to heartbeat the group while a handler runs or waits, so a
   * long handler does not get the member evicted.
   * @default 3000 (the kafkajs default)
   */
  readonly heartbeatInterval?: number;
  /**
   * Takes a poison message (its key cannot be read) off the partition; see
   * {@link DeadLetterHandler}. Without it, such a message throws `MessageKeyError`
   * and the partition does not move past it.
   * @default undefined (stop at the message)
   */
  readonly deadLetter?: DeadLetterHandler<M>;
}

/** Defaults of {@link KafkaDedupOptions} and the batch options, in one place. */
export const KAFKA_DEFAULTS = {
  namespacePrefix: 'kafka:',
  sessionTimeout: 30_000,
  autoExtend: true,
  heartbeatInterval: 3_000,
  claimAhead: 16,
  eachBatchAutoResolve: true,
} as const;

/** Options after validation. Internal. */
export interface ResolvedKafkaOptions<M extends KafkaMessage, T> {
  readonly deduper: Deduper<KafkaMessageContext<M>>;
  readonly handler: MessageHandler<M, T>;
  readonly readKey: KeyReader<M>;
  readonly inProgressTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly deadLetter: DeadLetterHandler<M> | undefined;
}

/** Validates the options once and makes the deduper; a bad option throws naming it. */
export function resolveKafkaOptions<M extends KafkaMessage, T>(
  options: KafkaDedupOptions<M, T>,
): ResolvedKafkaOptions<M, T> {
  checkObject('options', options);
  const {
    groupId,
    handler,
    key,
    namespace,
    sessionTimeout,
    lease,
    autoExtend,
    inProgressTimeout,
    heartbeatInterval,
    deadLetter,
    ...deduperOptions
  } = options;
  nonEmptyString('groupId', groupId);
  requireFunction('handler', handler, 'a function (message, context) => result');
  const readKey = keyReader(key);
  optionalFunction('deadLetter', deadLetter);
  const sessionMs = positiveDuration(
    'sessionTimeout',
    sessionTimeout,
    KAFKA_DEFAULTS.sessionTimeout,
  );
  const deduper = createDeduper<KafkaMessageContext<M>>({
    ...deduperOptions,
    namespace: namespace ?? `${KAFKA_DEFAULTS.namespacePrefix}${groupId}`,
    lease: lease ?? sessionMs,
    autoExtend: autoExtend ?? KAFKA_DEFAULTS.autoExtend,
  });
  return {
    deduper,
    handler,
    readKey,
    inProgressTimeoutMs: positiveDuration('inProgressTimeout', inProgressTimeout, deduper.leaseMs),
    heartbeatIntervalMs: positiveDuration(
      'heartbeatInterval',
      heartbeatInterval,
      KAFKA_DEFAULTS.heartbeatInterval,
    ),
    deadLetter,
  };
}
