import type { OncelyEvent, OncelyLogger } from './events.js';

/**
 * Delivers events to the user's `onEvent` and the telemetry's `event` hook without letting
 * a throwing subscriber change the outcome of a run: observability must never cause a
 * redelivery. `undefined` when nobody listens, so emitting costs nothing.
 */
export function createEmitter(
  onEvent: ((event: OncelyEvent) => void) | undefined,
  telemetry: ((event: OncelyEvent) => void) | undefined,
  logger: OncelyLogger,
): ((event: OncelyEvent) => void) | undefined {
  const subscribers = [onEvent, telemetry].filter(
    (subscriber): subscriber is (event: OncelyEvent) => void => subscriber !== undefined,
  );
  if (subscribers.length === 0) return undefined;
  const deliver = (subscriber: (event: OncelyEvent) => void, event: OncelyEvent) => {
    try {
      subscriber(event);
    } catch (error) {
      logger.error('oncely: onEvent subscriber threw; the event was dropped', {
        type: event.type,
        error,
      });
    }
  };
  const [only] = subscribers;
  if (subscribers.length === 1 && only) return (event) => deliver(only, event);
  return (event) => {
    for (const subscriber of subscribers) deliver(subscriber, event);
  };
}
