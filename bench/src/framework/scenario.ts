import type { ServerEndpoints, ServerKind } from './servers.js';

/** What a scenario gets from the run: the mode, the servers it asked for, a logger. */
export interface BenchContext {
  /** A short smoke run (CI): few messages, one round; figures are not meaningful. */
  readonly quick: boolean;
  /** Endpoints of the servers the scenario listed in {@link Scenario.needs}. */
  readonly servers: ServerEndpoints;
  /** Progress lines (to stderr, so stdout holds only the tables). */
  log(line: string): void;
}

/**
 * One benchmark scenario: it runs its contenders in turn, on the same servers, with
 * the same handler and the same messages, and reports one row per contender.
 *
 * @example
 * const scenario: Scenario = {
 *   name: 'engine',
 *   title: 'The engines alone, in memory',
 *   needs: [],
 *   run: async (context) => ({ ...report }),
 * };
 */
export interface Scenario {
  /** The `--scenario` name. */
  readonly name: string;
  readonly title: string;
  /** Servers to start before the scenario runs; started once per run and shared. */
  readonly needs: readonly ServerKind[];
  run(context: BenchContext): Promise<ScenarioReport>;
}

/** How one figure is shown and compared. */
export interface FigureColumn {
  /** The key in {@link ContenderRow.figures}. */
  readonly key: string;
  /** The column header, with its unit, e.g. `msg/s` or `p99 ms`. */
  readonly header: string;
  /** Digits after the point. @default 0 */
  readonly digits?: number;
  /**
   * Add a column with this figure's ratio to the baseline row's.
   * @default false
   */
  readonly ratio?: boolean;
}

/** One contender's measured figures. */
export interface ContenderRow {
  readonly contender: string;
  /** Figures by {@link FigureColumn.key}; a missing figure prints as `-`. */
  readonly figures: Readonly<Record<string, number | undefined>>;
}

/** A target from the issues, checked against this run's figures. */
export interface TargetCheck {
  /** What is compared, e.g. `oncely new message, µs at the median`. */
  readonly figure: string;
  /** The target as written, e.g. `≤ 5 µs`. */
  readonly target: string;
  /** The measured value, formatted. */
  readonly actual: string;
  readonly met: boolean;
}

/** What a scenario reports: the table, the targets and notes. */
export interface ScenarioReport {
  readonly scenario: string;
  readonly title: string;
  /** The contender the ratio columns divide by. */
  readonly baseline: string;
  readonly columns: readonly FigureColumn[];
  readonly rows: readonly ContenderRow[];
  readonly targets: readonly TargetCheck[];
  /** The run's parameters (messages, concurrency, rounds...), written to the JSON file. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Lines printed under the table (what was measured, caveats). */
  readonly notes: readonly string[];
}
