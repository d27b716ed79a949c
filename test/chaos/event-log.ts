/**
 * What worker processes report, one JSON line at a time, to a file of their own. Lines
 * are written synchronously, so a line about to be followed by an effect (a takeover
 * claim) is on disk before the effect happens, even if the process is SIGKILLed next.
 */
import { appendFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventTally } from './event-tally.js';
import { bump } from './verdict.js';

/** One line of a worker's log. */
export type ChaosLogLine =
  /**
   * A message was delivered to the worker. SQS tells the receive count (> 1: a
   * redelivery); Kafka the position, and a position seen before is a redelivery.
   */
  | { readonly t: 'delivery'; readonly receiveCount?: number; readonly position?: string }
  /** An oncely event. */
  | {
      readonly t: 'event';
      readonly type: string;
      readonly key: string;
      readonly takeover?: boolean;
      readonly effectMayRepeat?: boolean;
    }
  /** A fault the handler injected on itself. */
  | { readonly t: 'fault'; readonly kind: 'throw' | 'slow'; readonly key: string }
  /** A message's outcome (processed, duplicate, failed with an error name). */
  | { readonly t: 'outcome'; readonly status: string; readonly error?: string };

/** Appends log lines to one file. */
export class EventLogWriter {
  constructor(private readonly file: string) {}

  write(line: ChaosLogLine): void {
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  /** Logs the parts of an oncely event the verdict needs; pass as `onEvent`. */
  readonly event = (event: {
    type: string;
    key: string;
    takeover?: boolean;
    effectMayRepeat?: boolean;
  }): void => {
    this.write({
      t: 'event',
      type: event.type,
      key: event.key,
      ...(event.takeover === undefined ? {} : { takeover: event.takeover }),
      ...(event.effectMayRepeat === undefined ? {} : { effectMayRepeat: event.effectMayRepeat }),
    });
  };
}

/** Everything the workers of a run reported. */
export interface WorkerReports {
  readonly tally: EventTally;
  readonly deliveries: number;
  readonly redeliveries: number;
  readonly handlerFaults: ReadonlyMap<string, number>;
  readonly outcomes: ReadonlyMap<string, number>;
}

/** Reads every `*.jsonl` log in `dir`; a line cut short by a SIGKILL is skipped. */
export async function readWorkerReports(dir: string): Promise<WorkerReports> {
  const tally = new EventTally();
  const handlerFaults = new Map<string, number>();
  const outcomes = new Map<string, number>();
  const positions = new Set<string>();
  let deliveries = 0;
  let redeliveries = 0;
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.jsonl'))) {
    for (const text of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      const line = parse(text);
      if (line === undefined) continue;
      if (line.t === 'delivery') {
        deliveries++;
        const seen = line.position !== undefined && positions.has(line.position);
        if (line.position !== undefined) positions.add(line.position);
        if (seen || (line.receiveCount ?? 1) > 1) redeliveries++;
      } else if (line.t === 'event') {
        tally.record(line);
      } else if (line.t === 'fault') {
        bump(handlerFaults, line.kind);
      } else if (line.t === 'outcome') {
        bump(outcomes, line.error ?? line.status);
      }
    }
  }
  return { tally, deliveries, redeliveries, handlerFaults, outcomes };
}

function parse(text: string): ChaosLogLine | undefined {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as ChaosLogLine;
  } catch {
    return undefined;
  }
}
