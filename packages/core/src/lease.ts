import type { Engine, RunIdentity } from './engine.js';
import { callStore } from './engine.js';
import { LeaseLostError } from './errors.js';

/**
 * The lease of one claimed run: manual extension for the handler, an optional
 * heartbeat, and the abort signal that tells the handler it lost its lease.
 */
export class Lease {
  // Made on first use: an AbortController costs more than the rest of a run on the
  // in-memory store, and most handlers never read their signal.
  private controller: AbortController | undefined;
  private lost = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Epoch ms at which the lease ends, as last written to the store. */
  until: number;

  constructor(
    private readonly engine: Engine<unknown>,
    private readonly id: RunIdentity,
    private readonly token: string,
    /** The lease's length, in ms: each extension moves its end this far from now. */
    readonly leaseMs: number,
    leaseUntil: number,
  ) {
    this.until = leaseUntil;
  }

  /** The handler's signal: aborted once the lease is known to be lost. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.lost) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** Extends the lease by `leaseMs` from now; throws {@link LeaseLostError} if taken over. */
  async extend(leaseMs = this.leaseMs): Promise<void> {
    const { store, clock, namespace } = this.engine.options;
    const now = clock.now();
    const outcome = await callStore(this.engine, this.id, 'extendLease', () =>
      store.extendLease(this.id.storeKey, this.token, { leaseMs, now }),
    );
    if (outcome.ok) {
      this.until = now + leaseMs;
      this.engine.emit?.({
        type: 'lease_extended',
        namespace,
        ...this.id,
        at: now,
        leaseUntil: now + leaseMs,
      });
      return;
    }
    this.lost = true;
    this.controller?.abort();
    this.engine.emit?.({
      type: 'lease_lost',
      namespace,
      ...this.id,
      at: now,
      operation: 'extendLease',
      effectMayRepeat: true,
      ...(outcome.current ? { current: outcome.current } : {}),
    });
    throw new LeaseLostError(
      `Lease on key "${this.id.storeKey}" was lost before the handler finished: another delivery took over`,
      'extendLease',
      { ...this.id, ...(outcome.current ? { record: outcome.current } : {}) },
    );
  }

  /**
   * Extends the lease every `fraction` of it while the handler runs. Failures are
   * reported through events and the logger; a lost lease aborts the signal.
   */
  startHeartbeat(fraction: number): void {
    if (fraction <= 0) return;
    this.timer = setInterval(
      () => {
        this.extend().catch((error: unknown) => {
          const { logger } = this.engine.options;
          if (error instanceof LeaseLostError) {
            // The run ends in LeaseLostError (or the handler's abort), which the adapter
            // logs for the message: here only at debug, so it is logged once.
            this.stop();
            logger.debug('oncely: lease heartbeat found the lease lost', { ...this.id, error });
            return;
          }
          logger.warn('oncely: lease heartbeat failed; retrying at the next beat', {
            ...this.id,
            error,
          });
        });
      },
      Math.max(1, Math.floor(this.leaseMs * fraction)),
    );
    // A heartbeat must never keep a process alive on its own.
    this.timer.unref?.();
  }

  /** Stops the heartbeat. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
