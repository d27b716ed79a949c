import {
  createDeduper,
  type Deduper,
  type DeduperOptions,
  InvalidOptionError,
  type OncelyLogger,
  type OncelyTelemetry,
} from '@oncely/core';
import {
  checkDeduperOptions,
  checkObject,
  type DeduperOptionsWithoutNamespace,
  type DeduperSettings,
  oneOf,
  optionalFunction,
  positiveInteger,
} from '@oncely/core/adapter';
import { type KeyPicker, keyPicker, type MessageKey } from './key.js';
import type { RecordOutcome } from './outcome.js';

/**
 * Options every SQS form shares (Lambda wrapper, middy, Powertools record handler,
 * sqs-consumer worker). They extend the deduper's options (`store`, `ttl`, `lease`,
 * `fingerprint`, `storeResult`, `autoExtend`, `onEvent`, `logger`, ...), whose
 * `fingerprint` receives the raw record or message.
 */
export interface SqsDedupOptions<TMessage, T> extends Omit<DeduperOptions<TMessage>, 'namespace'> {
  /**
   * Scopes keys in the store. Lambda: defaults to `context.functionName`; workers: to
   * the queue's name.
   */
  readonly namespace?: string;
  /** Where each message's dedup key comes from. @default 'messageId' */
  readonly key?: MessageKey<TMessage>;
  /**
   * At most this many messages (standard queues) or FIFO groups in flight at once.
   * @default 10
   */
  readonly concurrency?: number;
  /**
   * FIFO processing: in order per `MessageGroupId`, and a group stops at its first
   * failure. `'auto'` detects FIFO from the queue (`.fifo`) or a `MessageGroupId`.
   * @default 'auto'
   */
  readonly fifo?: 'auto' | boolean;
  /** Receives every message's outcome (metrics, tracing); must not throw. */
  readonly onOutcome?: (outcome: RecordOutcome<T>) => void;
}

/** Defaults of {@link SqsDedupOptions}, in one place. */
export const SQS_DEFAULTS = {
  key: 'messageId',
  concurrency: 10,
  fifo: 'auto',
} as const;

/** Shared options after validation. Internal. */
export interface ResolvedSqsOptions<TMessage, T> {
  readonly dedupers: DeduperPool<TMessage>;
  readonly pickKey: KeyPicker<TMessage>;
  readonly concurrency: number;
  readonly fifo: 'auto' | boolean;
  readonly logger: OncelyLogger;
  readonly telemetry: OncelyTelemetry | undefined;
  readonly onOutcome: ((outcome: RecordOutcome<T>) => void) | undefined;
}

/** Validates the shared options once, at construction; a bad one throws naming it. */
export function resolveSqsOptions<TMessage, T>(
  options: SqsDedupOptions<TMessage, T>,
): ResolvedSqsOptions<TMessage, T> {
  checkObject('options', options);
  const concurrency = positiveInteger('concurrency', options.concurrency, SQS_DEFAULTS.concurrency);
  const fifo = oneOf('fifo', options.fifo, ['auto', true, false] as const, SQS_DEFAULTS.fifo);
  optionalFunction('onOutcome', options.onOutcome);
  const pickKey = keyPicker(options.key);
  const dedupers = new DeduperPool(options);
  return {
    dedupers,
    pickKey,
    concurrency,
    fifo,
    logger: dedupers.settings.logger,
    telemetry: options.telemetry,
    onOutcome: options.onOutcome,
  };
}

/**
 * One deduper per namespace. A Lambda's default namespace (its function name) is only
 * known at the first invocation, so dedupers are made lazily; the options are still
 * validated at construction, without making one.
 */
class DeduperPool<TMessage> {
  private readonly dedupers = new Map<string, Deduper<TMessage>>();
  /** What the options resolve to (the logger, the lease), the same for every namespace. */
  readonly settings: DeduperSettings;

  constructor(private readonly options: DeduperOptionsWithoutNamespace<TMessage>) {
    this.settings = checkDeduperOptions(options);
  }

  /** The deduper of the configured namespace, else of `fallback` (e.g. the function name). */
  for(fallback: string | undefined): Deduper<TMessage> {
    const namespace = this.settings.namespace ?? fallback;
    if (namespace === undefined || namespace.length === 0) {
      throw new InvalidOptionError(
        'namespace',
        'not set, and there is no function or queue name to default to',
      );
    }
    let deduper = this.dedupers.get(namespace);
    if (!deduper) {
      deduper = createDeduper<TMessage>({ ...this.options, namespace });
      this.dedupers.set(namespace, deduper);
    }
    return deduper;
  }
}
