/** One side effect the receiver performed, in order. */
export interface Effect {
  readonly kind: 'shipped' | 'invoice-paid';
  readonly id: string;
}

/**
 * The business side of the example: shipping orders and marking invoices paid. A real
 * service would write to a database or call an API; this one records each effect so
 * the example (and its test) can show each happened exactly once.
 */
export class Fulfilment {
  readonly effects: Effect[] = [];

  /** Ships an order and returns the shipment number. */
  async ship(orderId: string): Promise<string> {
    this.effects.push({ kind: 'shipped', id: orderId });
    return `shp_${this.effects.length}`;
  }

  /** Marks an invoice paid. */
  async markInvoicePaid(invoiceId: string): Promise<void> {
    this.effects.push({ kind: 'invoice-paid', id: invoiceId });
  }
}
