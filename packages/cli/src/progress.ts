import cliProgress from 'cli-progress';
import { NO_PROGRESS, type Progress } from './operator.js';

/** Records read before an automatic bar appears: short scans stay quiet. */
const LONG_SCAN = 1000;

/**
 * A progress bar on `stream` (stderr) for a scan of at most `total` records. `mode`:
 * `true` shows it from the start (also off a terminal), `false` never, `undefined` shows it
 * on a terminal once the scan is long. `stop` clears it.
 */
export function scanProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  total: number,
  mode: boolean | undefined,
): Progress & { stop(): void } {
  if (mode === false || (mode === undefined && !stream.isTTY)) return { ...NO_PROGRESS, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  let read = 0;
  const start = () => {
    bar = new cliProgress.SingleBar(
      {
        stream,
        format: 'scanning {bar} {value}/{total} records',
        noTTYOutput: mode === true,
        notTTYSchedule: 0,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, read);
  };
  if (mode === true) start();
  return {
    advance(records) {
      read += records;
      if (bar === undefined && read >= LONG_SCAN) start();
      bar?.update(Math.min(read, total));
    },
    stop() {
      bar?.stop();
    },
  };
}
