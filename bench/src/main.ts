/**
 * `npm run bench [-- --scenario <name>] [-- --quick]`: runs the benchmark scenarios in
 * turn on one set of servers, prints a markdown table per scenario on stdout (progress
 * goes to stderr) and writes `bench/results/<scenario>.json`.
 */
import { parseBenchArgs, UsageError, usage } from './framework/cli.js';
import { describeMachine, machineInfo } from './framework/machine.js';
import { renderReport } from './framework/markdown.js';
import { writeResults } from './framework/results-file.js';
import type { Scenario } from './framework/scenario.js';
import { type ServerKind, startBenchServers } from './framework/servers.js';
import { nowMs } from './measure/clock.js';
import { SCENARIOS } from './scenarios/index.js';

const log = (line: string) => console.error(`[bench] ${line}`);

async function main(): Promise<number> {
  const names = SCENARIOS.map((scenario) => scenario.name);
  const options = parseBenchArgs(process.argv.slice(2), names);
  if (options.help) {
    console.log(usage(names));
    return 0;
  }
  const selected = options.scenarios
    ? SCENARIOS.filter((scenario) => options.scenarios?.includes(scenario.name))
    : SCENARIOS;
  const machine = machineInfo();
  console.log(
    `## oncely benchmarks${options.quick ? ' (quick smoke run: figures are not meaningful)' : ''}\n`,
  );
  console.log(`Machine: ${describeMachine(machine)}; ${machine.date}\n`);

  const kinds = [...new Set<ServerKind>(selected.flatMap((scenario) => scenario.needs))];
  const servers = await startBenchServers(kinds, log);
  const failed: string[] = [];
  try {
    for (const scenario of selected) {
      if (!(await runScenario(scenario, options.quick, servers.endpoints))) {
        failed.push(scenario.name);
      }
    }
  } finally {
    await servers.stop();
  }
  if (failed.length > 0) {
    log(`failed: ${failed.join(', ')}`);
    return 1;
  }
  return 0;

  async function runScenario(
    scenario: Scenario,
    quick: boolean,
    endpoints: Awaited<ReturnType<typeof startBenchServers>>['endpoints'],
  ): Promise<boolean> {
    const started = nowMs();
    log(`${scenario.name}: starting`);
    try {
      const report = await scenario.run({ quick, servers: endpoints, log });
      console.log(`${renderReport(report)}\n`);
      const file = await writeResults(report, machine, { quick });
      log(`${scenario.name}: done in ${((nowMs() - started) / 1000).toFixed(1)} s, wrote ${file}`);
      return true;
    } catch (error) {
      log(
        `${scenario.name}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return false;
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UsageError ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
