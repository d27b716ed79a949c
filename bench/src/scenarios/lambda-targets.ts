/**
 * The targets the Lambda SQS scenarios check, by contender name: throughput, p99 batch
 * latency and client CPU, each against a baseline contender (Powertools). Reported, never
 * asserted: a busy machine moves them.
 */
import type { TargetCheck } from '../framework/scenario.js';
import type { PhaseSummary } from '../measure/phase.js';

/** A contender as the targets name it. */
export interface Named {
  readonly name: string;
}

type Summaries = ReadonlyMap<string, PhaseSummary>;

const figure = (summaries: Summaries, of: Named, pick: (summary: PhaseSummary) => number) => {
  const summary = summaries.get(of.name);
  return summary === undefined ? Number.NaN : pick(summary);
};

/** `contender`'s msg/s at least `atLeast` times `baseline`'s. */
export function throughputTarget(
  summaries: Summaries,
  contender: Named,
  baseline: Named,
  atLeast: number,
): TargetCheck {
  const rate = (of: Named) => figure(summaries, of, (summary) => summary.perSecond);
  const ratio = rate(contender) / rate(baseline);
  return {
    figure: `${contender.name} msg/s vs ${baseline.name}`,
    target: `≥ ${atLeast.toFixed(1)}x`,
    actual: `${ratio.toFixed(2)}x`,
    met: ratio >= atLeast,
  };
}

/** `contender`'s p99 batch latency no worse than `baseline`'s. */
export function p99Target(summaries: Summaries, contender: Named, baseline: Named): TargetCheck {
  const p99 = (of: Named) => figure(summaries, of, (summary) => summary.p99Ms);
  const mine = p99(contender);
  const theirs = p99(baseline);
  return {
    figure: `${contender.name} p99 batch latency vs ${baseline.name}`,
    target: 'no worse',
    actual: `${mine.toFixed(1)} ms vs ${theirs.toFixed(1)} ms`,
    met: mine <= theirs,
  };
}

/** `contender`'s client CPU per message at most `atMost` times `baseline`'s. */
export function cpuTarget(
  summaries: Summaries,
  contender: Named,
  baseline: Named,
  atMost: number,
): TargetCheck {
  const cpu = (of: Named) => figure(summaries, of, (summary) => summary.cpuMsPerMessage);
  const ratio = cpu(contender) / cpu(baseline);
  return {
    figure: `${contender.name} client CPU per message vs ${baseline.name}`,
    target: `≤ ${atMost.toFixed(1)}x`,
    actual: `${ratio.toFixed(2)}x (${cpu(contender).toFixed(3)} vs ${cpu(baseline).toFixed(3)} ms)`,
    met: ratio <= atMost,
  };
}
