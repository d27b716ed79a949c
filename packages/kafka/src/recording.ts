import type { MessageOutcome } from './settle.js';

interface Recording {
  readonly index: number;
  readonly done: Promise<void>;
  result?: { readonly ok: true } | { readonly ok: false; readonly error: unknown };
}

/**
 * The messages of a partition whose handlers have run and whose records are still being
 * completed, in offset order. Offsets are resolved strictly in order and only once a
 * message's record has landed, so the committed position never passes a message without
 * its record; after the first failure nothing more is resolved, and the batch rethrows
 * it, so the client resumes from that message. Internal.
 */
export class RecordingQueue {
  private readonly entries: Recording[] = [];
  private failure: { readonly error: unknown } | undefined;

  constructor(private readonly resolveOffset: (index: number) => void) {}

  /** Adds a started message: `settled` ends when its record is completed, or fails. */
  push(index: number, settled: Promise<MessageOutcome>): void {
    const entry: Recording = {
      index,
      done: settled.then(
        () => {
          entry.result = { ok: true };
        },
        (error: unknown) => {
          entry.result = { ok: false, error };
        },
      ),
    };
    this.entries.push(entry);
  }

  /**
   * Resolves the offsets of the finished messages at the head, waiting while more than
   * `inFlight` are unfinished (`0`: waits for all). Answers whether a failure was seen.
   */
  async drain(inFlight: number): Promise<boolean> {
    for (let head = this.entries[0]; head !== undefined; head = this.entries[0]) {
      if (head.result === undefined) {
        if (this.entries.length <= inFlight) break;
        await head.done;
      }
      this.entries.shift();
      if (this.failure !== undefined) continue;
      if (head.result?.ok) this.resolveOffset(head.index);
      else this.failure = { error: head.result?.ok === false ? head.result.error : undefined };
    }
    return this.failure !== undefined;
  }

  /** Throws the first failure, if any. */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
