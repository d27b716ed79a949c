/** The time source oncely reads; inject one in tests to move time without sleeping. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to: for tests of leases and expiry.
 *
 * @example
 * const clock = new ManualClock(0);
 * clock.advance(30_000);
 */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }
  /** Sets the time to `epochMs`. */
  set(epochMs: number): void {
    this.current = epochMs;
  }
}
