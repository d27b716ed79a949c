import { expect } from 'vitest';
import type { Mode } from '../src/consumer.js';
import type { DemoResult, Tally } from '../src/run.js';

/**
 * What the demo must show, whatever the servers and timing: the counts that depend on
 * how messages fall into batches vary between runs, these do not.
 */
export function expectDemoGuarantees(result: DemoResult): void {
  const { plan } = result;
  const tally = (mode: Mode) => result.tallies.find((t) => t.mode === mode) as Tally;
  const ids = plan.messages.map((m) => m.paymentId);
  const sentTwice = [...new Set(ids)].filter((id) => ids.indexOf(id) !== ids.lastIndexOf(id));
  const crashed = [...plan.crashes.keys()].sort();
  const crashedAfterCharge = crashed.filter((id) => plan.crashes.get(id) === 'after-charge');

  for (const t of result.tallies) {
    expect(t.messagesSent, t.mode).toBe(plan.messages.length);
    expect(t.deliveries, t.mode).toBeGreaterThan(plan.messages.length);
    expect(t.crashes, t.mode).toBe(plan.crashes.size);
    expect(t.missing, t.mode).toBe(0);
  }

  // Without oncely every copy charges: each payment sent twice is charged twice or more.
  const none = tally('none');
  expect(none.doubleChargedIds).toEqual(expect.arrayContaining(sentTwice));
  expect(none.doubleCharged).toBeGreaterThan(crashedAfterCharge.length);
  expect(none.takeoversReported).toBe(0);

  // With oncely, the only double charges are workers that died after charging, and
  // each of them follows a reported takeover.
  const oncely = tally('oncely');
  expect(oncely.duplicatesSkipped).toBeGreaterThanOrEqual(sentTwice.length);
  expect(oncely.takenOverIds).toEqual(expect.arrayContaining(crashed));
  expect(oncely.doubleChargedIds).toEqual(expect.arrayContaining(crashedAfterCharge));
  expect(oncely.takenOverIds).toEqual(expect.arrayContaining([...oncely.doubleChargedIds]));
  expect(oncely.takeoversReported).toBeGreaterThanOrEqual(oncely.doubleCharged);

  // Transactional: every payment exactly once, crashes and copies notwithstanding.
  const transactional = tally('transactional');
  expect(transactional.charges).toBe(plan.payments.length);
  expect(transactional.doubleCharged).toBe(0);
  expect(transactional.duplicatesSkipped).toBeGreaterThanOrEqual(sentTwice.length);
}

/** The cells of the report table's row that starts with `label`, trimmed, after the label. */
export function reportRow(report: string, label: string): string[] | undefined {
  return report
    .split('\n')
    .find((line) => line.startsWith(`| ${label} `))
    ?.split('|')
    .slice(2, -1)
    .map((cell) => cell.trim());
}
