import { DEFAULT_PLAN, planDeliveries } from './plan.js';
import { type Mode, simulate, type Tally } from './simulate.js';

/**
 * `npm run demo`: a payments consumer under redelivery, without oncely and with
 * it, on the embedded in-memory store. Prints one table.
 */
const COLUMNS: Array<[Mode, string]> = [
  ['none', 'without oncely'],
  ['oncely', 'oncely'],
  ['transactional', 'oncely, transactional'],
];

const ROWS: Array<[keyof Tally, string]> = [
  ['deliveries', 'deliveries (incl. redeliveries, copies)'],
  ['crashes', 'workers crashed mid-handler'],
  ['handlerRuns', 'handler runs'],
  ['duplicatesSkipped', 'duplicates skipped'],
  ['retried', 'deliveries retried later'],
  ['charges', 'charges made'],
  ['doubleCharged', 'payments charged twice or more'],
  ['missing', 'payments never charged'],
  ['takeoversReported', 'lease takeovers reported'],
];

function table(results: Tally[]): string {
  const header = ['', ...COLUMNS.map(([, title]) => title)];
  const body = ROWS.map(([field, label]) => [label, ...results.map((r) => String(r[field]))]);
  const widths = header.map((_, i) =>
    Math.max(...[header, ...body].map((row) => (row[i] ?? '').length)),
  );
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const plan = planDeliveries(DEFAULT_PLAN);
  const results: Tally[] = [];
  for (const [mode] of COLUMNS) results.push(await simulate(mode, plan));
  console.log(`oncely demo: ${DEFAULT_PLAN.payments} payments through an at-least-once queue`);
  console.log(
    '(redeliveries, concurrent copies, and workers that crash before or after charging)\n',
  );
  console.log(table(results));
  console.log(`
- Without oncely every redelivery charges the card again.
- With oncely, redeliveries and concurrent copies are skipped. A worker that crashed
  after charging but before recording it leaves a lease; when it expires the next
  delivery takes over and charges again. oncely cannot undo an effect outside its
  store, but it reports every such takeover (the last row).
- In transactional mode the charge is a ledger write committed with the record in
  one request, so a crash before the commit leaves no charge: exactly once.`);
}

await main();
