import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { createDeduper, MemoryStore } from '@oncely/core';
import { lambdaContext } from '../contenders/lambda-context.js';
import { MapPersistenceLayer } from '../contenders/powertools-memory-layer.js';

/** One message of the engine scenario. */
export interface EngineMessage {
  readonly id: string;
  readonly amount: number;
}

/** A contender of the engine scenario: a fresh, empty instance per round. */
export interface EngineContender {
  readonly name: string;
  /** Makes a fresh instance (empty store) that processes one message at a time. */
  create(
    handler: (message: EngineMessage) => Promise<number>,
  ): (message: EngineMessage) => Promise<unknown>;
  /** Whether a second pass over the same messages must skip the handler. */
  readonly dedups: boolean;
}

/** The handler itself, with nothing around it: what the overhead is measured against. */
export const handlerAlone: EngineContender = {
  name: 'handler alone',
  dedups: false,
  create: (handler) => handler,
};

/** oncely's engine on its embedded `MemoryStore`, with the defaults. */
export const oncelyMemory: EngineContender = {
  name: 'oncely (MemoryStore)',
  dedups: true,
  create(handler) {
    const deduper = createDeduper({ store: new MemoryStore(), namespace: 'bench', ttl: '24h' });
    return (message) => deduper.run(message.id, () => handler(message));
  },
};

/**
 * Powertools' `makeIdempotent` on a minimal Map persistence layer, keyed by the same
 * message ID (`eventKeyJmesPath: 'id'`), with a registered Lambda context as its
 * documentation asks (without one it warns on every call).
 */
export const powertoolsMemory: EngineContender = {
  name: 'Powertools makeIdempotent (Map layer)',
  dedups: true,
  create(handler) {
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: 86_400 });
    config.registerLambdaContext(lambdaContext(15 * 60_000));
    return makeIdempotent(handler, { persistenceStore: new MapPersistenceLayer(), config });
  },
};
