import type { OncelyEvent, OncelyLogger } from './events.js';

/**
 * Delivers events to the user's `onEvent` without letting a throwing subscriber
 * change the outcome of a run: observability must never cause a redelivery.
 */
export function createEmitter(
  onEvent: ((event: OncelyEvent) => void) | undefined,
  logger: OncelyLogger,
): ((event: OncelyEvent) => void) | undefined {
  if (onEvent === undefined) return undefined;
  return (event) => {
    try {
      onEvent(event);
    } catch (error) {
      logger.error('oncely: onEvent subscriber threw; the event was dropped', {
        type: event.type,
        error,
      });
    }
  };
}
