/**
 * The table a chaos run prints: one row per scenario, and after it the details that
 * explain the figures (fault kinds, takeovers, what was lost or unexplained).
 */
import { type NotRun, passed, type ScenarioResult, totalFaults } from './scenario.js';

const COLUMNS = [
  'scenario',
  'store',
  'mode',
  'messages',
  'deliveries',
  'redeliveries',
  'effects',
  'lost',
  'duplicated (explained / unexplained)',
  'crashes',
  'faults injected',
  'time',
  'result',
] as const;

function row(result: ScenarioResult): string[] {
  const { verdict } = result;
  return [
    result.scenario,
    result.store,
    verdict.mode,
    String(result.messages),
    String(result.deliveries),
    String(result.redeliveries),
    String(verdict.effects),
    String(verdict.lost.length),
    `${verdict.duplicated} (${verdict.explained} / ${verdict.unexplained})`,
    result.crashes === 0 ? '0' : `${result.crashes} (${result.crashesMidHandler} mid-handler)`,
    String(totalFaults(result.faults)),
    `${(result.durationMs / 1000).toFixed(0)} s`,
    passed(result) ? 'PASS' : 'FAIL',
  ];
}

function notRunRow(left: NotRun): string[] {
  const blank = COLUMNS.slice(3, -1).map(() => '-');
  return [left.scenario, left.store, left.mode, ...blank, `n/a: ${left.reason}`];
}

/**
 * Renders the results as a Markdown table (readable in a terminal, pasteable in docs),
 * with a row for each combination left out and why.
 */
export function formatTable(
  results: readonly ScenarioResult[],
  notRun: readonly NotRun[] = [],
): string {
  const rows = [COLUMNS.slice(), ...results.map(row), ...notRun.map(notRunRow)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n');
}

/** The lines under the table: what each scenario's faults and events were. */
export function formatDetails(results: readonly ScenarioResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    const { verdict } = result;
    const faults = Object.entries(result.faults)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    lines.push(
      `- ${result.scenario} on ${result.store} (${verdict.mode}): faults: ${faults || 'none'}; ` +
        `takeovers ${result.takeovers}, lease lost ${result.leaseLost}` +
        (result.unexpectedExits > 0 ? `; UNEXPECTED WORKER EXITS ${result.unexpectedExits}` : '') +
        (result.drained ? '' : '; NOT DRAINED before the deadline'),
    );
    for (const note of result.notes) lines.push(`  ${note}`);
    if (verdict.lost.length > 0) lines.push(`  LOST: ${verdict.lost.slice(0, 20).join(', ')}`);
    for (const d of verdict.duplicatedKeys.filter((k) => k.unexplained > 0).slice(0, 20)) {
      lines.push(
        `  UNEXPLAINED: ${d.key}: ${d.effects} effects, ${d.takeovers} takeovers, ${d.leaseLost} lease lost`,
      );
    }
  }
  return lines.join('\n');
}
