/**
 * A fake card processor that counts charges per payment, so the demo can show
 * double charges. In transactional mode the charge is a ledger row in the same
 * store as the dedup record instead.
 */
export class PaymentProvider {
  private readonly charges = new Map<string, number>();

  /** Charges the card for a payment; every call is a real (fake) charge. */
  charge(paymentId: string, amountCents: number): string {
    this.charges.set(paymentId, (this.charges.get(paymentId) ?? 0) + 1);
    return `ch_${paymentId}_${amountCents}_${this.charges.get(paymentId)}`;
  }

  /** Total charges made. */
  get total(): number {
    let sum = 0;
    for (const count of this.charges.values()) sum += count;
    return sum;
  }

  /** Payments charged more than once. */
  get doubleCharged(): number {
    let count = 0;
    for (const n of this.charges.values()) if (n > 1) count++;
    return count;
  }

  /** Payments never charged. */
  missing(paymentIds: Iterable<string>): number {
    let count = 0;
    for (const id of paymentIds) if (!this.charges.has(id)) count++;
    return count;
  }
}
