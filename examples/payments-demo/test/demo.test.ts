import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAN, planDeliveries } from '../src/plan.js';
import { simulate } from '../src/simulate.js';

describe('payments demo', () => {
  const plan = planDeliveries(DEFAULT_PLAN);
  const crashedAfterCharge = plan[0]?.filter((d) => d.fate === 'crash-after-charge').length ?? 0;

  it('plans real trouble: redeliveries, concurrent copies and both kinds of crash', () => {
    const first = plan[0] ?? [];
    expect(plan[1]?.length).toBeGreaterThan(10);
    expect(first.filter((d) => d.copies > 1).length).toBeGreaterThan(5);
    expect(crashedAfterCharge).toBeGreaterThan(0);
    expect(first.filter((d) => d.fate === 'crash-before-charge').length).toBeGreaterThan(0);
  });

  it('double-charges without oncely', async () => {
    const tally = await simulate('none', plan);
    expect(tally.doubleCharged).toBeGreaterThan(crashedAfterCharge);
    expect(tally.missing).toBe(0);
  });

  it('with oncely, double charges come only from crashes after the charge, and each is reported', async () => {
    const tally = await simulate('oncely', plan);
    expect(tally.missing).toBe(0);
    expect(tally.doubleCharged).toBe(crashedAfterCharge);
    expect(tally.takeoversReported).toBeGreaterThanOrEqual(tally.doubleCharged);
    expect(tally.duplicatesSkipped).toBeGreaterThan(0);
  });

  it('charges every payment exactly once in transactional mode', async () => {
    const tally = await simulate('transactional', plan);
    expect(tally.missing).toBe(0);
    expect(tally.doubleCharged).toBe(0);
    expect(tally.charges).toBe(DEFAULT_PLAN.payments);
  });
});
