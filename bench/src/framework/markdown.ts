import type { FigureColumn, ScenarioReport } from './scenario.js';

/**
 * Renders a report as markdown: the table (with a ratio column after each figure
 * marked `ratio`, dividing by the baseline row), then the targets and the notes.
 *
 * @example
 * console.log(renderReport(report));
 */
export function renderReport(report: ScenarioReport): string {
  const lines = [
    `### ${report.scenario}: ${report.title}`,
    '',
    `Ratios (×) are to **${report.baseline}**.`,
    '',
    ...renderTable(report),
  ];
  if (report.targets.length > 0) {
    lines.push('', '| target | wanted | measured | met |', '|---|---|---|---|');
    for (const target of report.targets) {
      lines.push(
        `| ${target.figure} | ${target.target} | ${target.actual} | ${target.met ? 'yes' : 'no'} |`,
      );
    }
  }
  if (report.notes.length > 0) lines.push('', ...report.notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

/** The figures table alone, one markdown line per element. */
export function renderTable(report: ScenarioReport): string[] {
  const baseline = report.rows.find((row) => row.contender === report.baseline);
  const headers = ['contender'];
  for (const column of report.columns) {
    headers.push(column.header);
    if (column.ratio) headers.push('×');
  }
  const lines = [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, index) => (index === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of report.rows) {
    const cells = [row.contender];
    for (const column of report.columns) {
      const value = row.figures[column.key];
      cells.push(formatFigure(value, column));
      if (column.ratio) cells.push(formatRatio(value, baseline?.figures[column.key]));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/**
 * A figure with its column's digits and thousands separators; `-` when absent.
 *
 * @example
 * formatFigure(12345.678, { key: 'rate', header: 'msg/s' }); // '12,346'
 */
export function formatFigure(value: number | undefined, column: FigureColumn): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  const digits = column.digits ?? 0;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/**
 * `value / baseline` as `1.23x`; `-` when either is absent or the baseline is 0.
 *
 * @example
 * formatRatio(150, 100); // '1.50x'
 */
export function formatRatio(value: number | undefined, baseline: number | undefined): string {
  if (value === undefined || baseline === undefined || !(baseline !== 0)) return '-';
  const ratio = value / baseline;
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-';
}
