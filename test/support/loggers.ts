/**
 * The three loggers users pass to oncely, each real and writing its output to a buffer the
 * test reads: `console` (a `Console` on a stream), pino (through `pinoLogger`, JSON lines)
 * and Powertools' Logger (JSON lines on stdout and stderr).
 *
 * @example
 * import { realLoggers } from '@oncely/test-support/loggers';
 *
 * for (const logger of realLoggers()) {
 *   const deduper = createDeduper({ store, namespace: 'ns', logger: logger.logger });
 *   // ... then read logger.output()
 * }
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { type OncelyLogger, pinoLogger } from '@oncely/core';
import { pino } from 'pino';
import { vi } from 'vitest';

/** A real logger, as a user would pass it, and what it has written so far. */
export interface CapturedLogger {
  readonly name: 'console' | 'pino' | 'powertools';
  readonly logger: OncelyLogger;
  /** Everything written so far, as one string. */
  output(): string;
  /** Undoes any spying on the process streams. */
  restore(): void;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** `console` exactly as users pass it: `logger: console`, here on a captured stream. */
export function captureConsole(): CapturedLogger {
  const { stream, text } = sink();
  const logger = new Console({ stdout: stream, stderr: stream });
  return { name: 'console', logger, output: text, restore: () => {} };
}

/**
 * pino with its defaults, wrapped in `pinoLogger` (or, with `adapted: false`, given
 * directly, to show what that loses), writing JSON lines to a buffer.
 */
export function capturePino({ adapted = true } = {}): CapturedLogger {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  return {
    name: 'pino',
    logger: adapted ? pinoLogger(logger) : logger,
    output: () => lines.join(''),
    restore() {},
  };
}

/**
 * Powertools' Logger passed as is. It writes through its own `Console` on
 * `process.stdout` and `process.stderr`, so those are spied on until `restore()`.
 */
export function capturePowertools(): CapturedLogger {
  const chunks: string[] = [];
  const keep = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  const logger = new Logger({ serviceName: 'oncely-test', logLevel: 'DEBUG' });
  return {
    name: 'powertools',
    logger,
    output: () => chunks.join(''),
    restore() {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
}

/** The three loggers, fresh. */
export const realLoggers = (): CapturedLogger[] => [
  captureConsole(),
  capturePino(),
  capturePowertools(),
];

/** Parses JSON-lines output (pino, Powertools) into records. */
export function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
