import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MachineInfo } from './machine.js';
import type { ScenarioReport } from './scenario.js';

/** The directory results are written to: `bench/results`. */
export const RESULTS_DIR = path.resolve(import.meta.dirname, '../../results');

/**
 * Writes `bench/results/<scenario>.json` with the machine, the mode and the report.
 * A quick (smoke) run writes `<scenario>.quick.tmp.json` instead, which git ignores,
 * so CI never overwrites the figures BENCHMARKS.md quotes.
 *
 * @example
 * const file = await writeResults(report, machineInfo(), { quick: false });
 */
export async function writeResults(
  report: ScenarioReport,
  machine: MachineInfo,
  mode: { readonly quick: boolean },
  directory = RESULTS_DIR,
): Promise<string> {
  await mkdir(directory, { recursive: true });
  const name = mode.quick ? `${report.scenario}.quick.tmp.json` : `${report.scenario}.json`;
  const file = path.join(directory, name);
  const body = { ...report, machine, quick: mode.quick };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}
