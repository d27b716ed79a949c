import { describe, expect, it } from 'vitest';
import { formatFigure, formatRatio, renderReport } from '../src/framework/markdown.js';
import type { ScenarioReport } from '../src/framework/scenario.js';

const report: ScenarioReport = {
  scenario: 'demo',
  title: 'A demo',
  baseline: 'floor',
  columns: [
    { key: 'rate', header: 'msg/s', ratio: true },
    { key: 'p99', header: 'p99 ms', digits: 1 },
  ],
  rows: [
    { contender: 'floor', figures: { rate: 2000, p99: 4 } },
    { contender: 'oncely', figures: { rate: 1500, p99: undefined } },
  ],
  targets: [{ figure: 'oncely vs floor', target: '≥ 0.5x', actual: '0.75x', met: true }],
  settings: {},
  notes: ['one note'],
};

describe('renderReport', () => {
  it('prints the table with a ratio column after each ratio figure, then targets and notes', () => {
    expect(renderReport(report).split('\n')).toEqual([
      '### demo: A demo',
      '',
      'Ratios (×) are to **floor**.',
      '',
      '| contender | msg/s | × | p99 ms |',
      '|---|---:|---:|---:|',
      '| floor | 2,000 | 1.00x | 4.0 |',
      '| oncely | 1,500 | 0.75x | - |',
      '',
      '| target | wanted | measured | met |',
      '|---|---|---|---|',
      '| oncely vs floor | ≥ 0.5x | 0.75x | yes |',
      '',
      '- one note',
    ]);
  });
});

describe('formatting', () => {
  it('prints absent or NaN figures and ratios as a dash', () => {
    expect(formatFigure(undefined, { key: 'x', header: 'x' })).toBe('-');
    expect(formatFigure(Number.NaN, { key: 'x', header: 'x' })).toBe('-');
    expect(formatRatio(1, 0)).toBe('-');
    expect(formatRatio(undefined, 1)).toBe('-');
    expect(formatRatio(3, 2)).toBe('1.50x');
  });
});
