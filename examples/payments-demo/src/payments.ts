import type { Payment } from './plan.js';

/**
 * A fake card processor: an effect outside any store, like a real payments API. It
 * counts charges per payment, so the demo can show double charges.
 */
export class CardProcessor {
  private readonly charged = new Map<string, number>();

  /** Charges the card; every call is a new (fake) charge. @returns the charge ID */
  charge(payment: Payment): string {
    const count = (this.charged.get(payment.paymentId) ?? 0) + 1;
    this.charged.set(payment.paymentId, count);
    return `ch_${payment.paymentId}_${count}`;
  }

  /** Charges made per payment ID (payments never charged are absent). */
  charges(): ReadonlyMap<string, number> {
    return this.charged;
  }
}
