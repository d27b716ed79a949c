/**
 * The deduper most core tests start from: a fresh MemoryStore and a ManualClock, in
 * namespace `payments` with a 30 s lease, recording every event it emits.
 *
 * @example
 * const { deduper, store, clock, types } = setup({ transactional: true });
 */
import {
  createDeduper,
  type DeduperOptions,
  ManualClock,
  MemoryStore,
  type OncelyEvent,
} from '../src/index.js';

/** A deduper with its store, clock and events; `options` override the defaults above. */
export function setup(options: Partial<DeduperOptions> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const events: OncelyEvent[] = [];
  const deduper = createDeduper({
    store,
    namespace: 'payments',
    lease: '30s',
    clock,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { clock, store, events, deduper, types: () => events.map((e) => e.type) };
}
