/**
 * A small in-memory queue with SQS's delivery rules, for store-fault runs that need
 * many redeliveries fast: a received message hides for a visibility timeout and comes
 * back when it ends (even while its first consumer still works on it); only the latest
 * receipt deletes it; a failed message is retried after a delay.
 */

/** One delivery of a message. */
export interface Delivery<T> {
  readonly body: T;
  readonly messageId: number;
  /** This delivery's receipt: only the latest one deletes the message. */
  readonly receipt: number;
  /** 1 on the first delivery. */
  readonly receiveCount: number;
}

interface Held<T> {
  readonly body: T;
  visibleAt: number;
  receiveCount: number;
  receipt: number;
}

/** An at-least-once queue over a fixed set of messages. */
export class AtLeastOnceQueue<T> {
  private readonly messages = new Map<number, Held<T>>();
  private receipts = 0;

  constructor(
    bodies: readonly T[],
    private readonly visibilityMs: number,
  ) {
    bodies.forEach((body, index) => {
      this.messages.set(index, { body, visibleAt: 0, receiveCount: 0, receipt: 0 });
    });
  }

  /** Messages not yet deleted. */
  get size(): number {
    return this.messages.size;
  }

  /** Receives the first visible message and hides it for the visibility timeout. */
  receive(now = Date.now()): Delivery<T> | undefined {
    for (const [messageId, held] of this.messages) {
      if (held.visibleAt > now) continue;
      held.visibleAt = now + this.visibilityMs;
      held.receiveCount++;
      held.receipt = ++this.receipts;
      return { body: held.body, messageId, receipt: held.receipt, receiveCount: held.receiveCount };
    }
    return undefined;
  }

  /**
   * Deletes the message, if `delivery` is its latest receipt. A stale receipt (the
   * message was redelivered meanwhile) deletes nothing, as SQS does not promise to.
   */
  ack(delivery: Delivery<T>): boolean {
    const held = this.messages.get(delivery.messageId);
    if (held?.receipt !== delivery.receipt) return false;
    return this.messages.delete(delivery.messageId);
  }

  /** Makes the message visible again after `delayMs` (a failed delivery). */
  retryLater(delivery: Delivery<T>, delayMs: number, now = Date.now()): void {
    const held = this.messages.get(delivery.messageId);
    if (held?.receipt === delivery.receipt) held.visibleAt = now + delayMs;
  }
}
