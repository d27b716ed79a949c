import type { Mode } from './consumer.js';
import type { DemoResult, Tally } from './run.js';

const TITLES: Record<Mode, string> = {
  none: 'without oncely',
  oncely: 'oncely',
  transactional: 'oncely, transactional',
};

/** The table's rows: a tally field and its label. */
export const ROWS: ReadonlyArray<readonly [keyof Tally, string]> = [
  ['deliveries', 'deliveries (incl. redeliveries)'],
  ['crashes', 'workers crashed mid-handler'],
  ['handlerRuns', 'handler runs'],
  ['duplicatesSkipped', 'duplicates skipped'],
  ['retried', 'deliveries failed, retried later'],
  ['charges', 'charges made'],
  ['doubleCharged', 'payments charged twice or more'],
  ['missing', 'payments never charged'],
  ['takeoversReported', 'lease takeovers reported'],
];

/**
 * A Markdown table: one column per consumer, one row per count; with `unavailable`, a last
 * column for transactional mode that says it is not available on this store.
 */
export function formatTable(tallies: readonly Tally[], unavailable?: string): string {
  const header = ['', ...tallies.map((t) => TITLES[t.mode])];
  const body = ROWS.map(([field, label]) => [label, ...tallies.map((t) => String(t[field]))]);
  if (unavailable !== undefined && !tallies.some((t) => t.mode === 'transactional')) {
    header.push(TITLES.transactional);
    for (const [i, row] of body.entries()) row.push(i === 0 ? 'not available' : '-');
  }
  const widths = header.map((_, i) =>
    Math.max(...[header, ...body].map((row) => (row[i] ?? '').length)),
  );
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** Double charges with oncely that no reported takeover explains (the demo expects none). */
export function unexplainedDoubleCharges(tally: Tally): string[] {
  const takenOver = new Set(tally.takenOverIds);
  return tally.doubleChargedIds.filter((id) => !takenOver.has(id));
}

/** The demo's whole printout: what ran, the table, and what it shows. */
export function formatReport(result: DemoResult): string {
  const { plan, timing } = result;
  const duplicated = plan.messages.length - plan.payments.length;
  const crashes = [...plan.crashes.values()];
  const before = crashes.filter((point) => point === 'before-charge').length;
  const oncely = result.tallies.find((t) => t.mode === 'oncely');
  const explained = oncely
    ? `; here ${oncely.doubleCharged - unexplainedDoubleCharges(oncely).length} of the ${oncely.doubleCharged} double charges follow one.`
    : '.';
  return `oncely demo: ${plan.payments.length} payments through SQS into a Lambda-style payments consumer
(SQS: ${result.sqsName}; oncely's store: ${result.storeName})

The producer sends ${plan.messages.length} messages: ${duplicated} payments twice, as separate messages. Each
consumer is fed by ${timing.eventSources} event sources polling its queue at once, up to ${timing.batchSize} messages per
invocation, with partial batch responses. ${crashes.length} handlers die mid-run (${before} before charging,
${crashes.length - before} after): their invocations time out after ${timing.functionTimeoutMs / 1000} s, and their batches come back
after the ${timing.visibilityTimeoutSeconds} s visibility timeout.

${formatTable(result.tallies, result.transactionalUnavailable)}

- Without oncely every delivery charges the card (unless its worker dies first): both
  copies of a payment sent twice, and each record of a timed-out batch again when it comes back.
- With oncely, keyed by the body's paymentId, those copies and redeliveries are
  duplicates, acknowledged without charging. A copy that arrives while another delivery
  holds the key fails with InProgressError and comes back after the visibility timeout.
  A worker that died holds its claim until its lease (capped by the function timeout)
  ends; the redelivery then takes the key over. If the worker had charged already, the
  card is charged again: oncely cannot undo an effect outside its store, but it reports
  every takeover${explained}
${transactionalNote(result)}`;
}

function transactionalNote(result: DemoResult): string {
  if (result.transactionalUnavailable !== undefined) {
    return `- Transactional mode is not available here: ${result.transactionalUnavailable}`;
  }
  return `- In transactional mode nothing is claimed and every delivery runs the handler, but the
  charge is a ledger write committed with oncely's record in one atomic request
  (DynamoDB: one TransactWriteItems; PostgreSQL: one transaction, the record's row and
  the ledger's). A copy whose record is already committed is a duplicate and its write
  is dropped; a worker that dies before the commit leaves no charge behind: each payment
  is charged exactly once.`;
}
