/**
 * The judge of chaos and fault runs, on hand-made ledgers: it must fail a run for
 * every way a run can go wrong, or the green tables prove nothing. (No servers needed;
 * it lives with the chaos code it checks.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../faults/seeded-random.js';
import { sendOrder } from './broker-chaos.js';
import { readWorkerReports } from './event-log.js';
import { EventTally } from './event-tally.js';
import { QUICK } from './settings.js';
import { judge } from './verdict.js';

const effects = (...keys: string[]) => keys.map((key) => ({ key }));

function tally(...events: { type: string; key: string; takeover?: boolean }[]): EventTally {
  const result = new EventTally();
  for (const event of events) result.record(event);
  return result;
}

describe('judge', () => {
  it('passes a run where every key has exactly one effect', () => {
    expect(judge('transactional', ['a', 'b'], effects('a', 'b'), tally())).toMatchObject({
      lost: [],
      duplicated: 0,
      ok: true,
    });
  });

  it('fails a run that lost a key', () => {
    const verdict = judge('normal', ['a', 'b'], effects('a'), tally());
    expect(verdict).toMatchObject({ lost: ['b'], ok: false });
  });

  it('normal mode: a duplicate is explained by a takeover of its key, one takeover per extra effect', () => {
    const takeover = { type: 'claimed', key: 'a', takeover: true };
    expect(judge('normal', ['a'], effects('a', 'a'), tally(takeover))).toMatchObject({
      duplicated: 1,
      explained: 1,
      unexplained: 0,
      ok: true,
    });
    expect(judge('normal', ['a'], effects('a', 'a', 'a'), tally(takeover))).toMatchObject({
      duplicated: 2,
      explained: 1,
      unexplained: 1,
      ok: false,
    });
  });

  it('normal mode: a takeover of another key, a plain claim or a lost lease alone explain nothing', () => {
    const events = tally(
      { type: 'claimed', key: 'b', takeover: true },
      { type: 'claimed', key: 'a', takeover: false },
      { type: 'lease_lost', key: 'a' },
    );
    expect(judge('normal', ['a', 'b'], effects('a', 'a', 'b'), events)).toMatchObject({
      unexplained: 1,
      ok: false,
    });
  });

  it('transactional mode: no event explains a duplicate', () => {
    const takeover = tally({ type: 'claimed', key: 'a', takeover: true });
    expect(judge('transactional', ['a'], effects('a', 'a'), takeover)).toMatchObject({
      duplicated: 1,
      unexplained: 1,
      ok: false,
    });
  });

  it('fails a run whose ledger holds effects of keys never sent', () => {
    expect(judge('normal', ['a'], effects('a', 'zzz'), tally())).toMatchObject({
      strays: 1,
      ok: false,
    });
  });
});

describe('worker reports', () => {
  it('reads every log, skips a line cut short by a SIGKILL, and counts redeliveries both ways', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oncely-verdict-'));
    try {
      const lines = (...values: unknown[]) => values.map((v) => JSON.stringify(v)).join('\n');
      await writeFile(
        join(dir, 'w1.1.jsonl'),
        `${lines(
          { t: 'delivery', receiveCount: 1 },
          { t: 'delivery', receiveCount: 2 },
          { t: 'event', type: 'claimed', key: 'a', takeover: true },
          { t: 'fault', kind: 'throw', key: 'a' },
        )}\n{"t":"event","type":"clai`,
      );
      await writeFile(
        join(dir, 'w2.1.jsonl'),
        `${lines(
          { t: 'delivery', position: '0/5' },
          { t: 'delivery', position: '0/5' },
          { t: 'outcome', status: 'failed', error: 'InProgressError' },
        )}\n`,
      );
      const reports = await readWorkerReports(dir);
      expect(reports).toMatchObject({ deliveries: 4, redeliveries: 2 });
      expect(reports.tally.takeovers.get('a')).toBe(1);
      expect(reports.tally.count('claimed')).toBe(1);
      expect(reports.handlerFaults.get('throw')).toBe(1);
      expect(reports.outcomes.get('InProgressError')).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('send order', () => {
  it('sends every event, and about the configured share twice', () => {
    const order = sendOrder(QUICK.sqs, seededRandom(1));
    const events = new Set(order);
    expect(events.size).toBe(QUICK.sqs.events);
    const repeats = order.length - events.size;
    expect(repeats).toBeGreaterThan(QUICK.sqs.events * 0.05);
    expect(repeats).toBeLessThan(QUICK.sqs.events * 0.15);
  });
});
