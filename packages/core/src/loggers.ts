import type { OncelyLogger } from './events.js';

/**
 * The part of a pino (or bunyan) logger that {@link pinoLogger} calls: each level takes
 * the merging object first and the message second. Typed structurally, so core needs
 * no logging package.
 */
export interface ObjectFirstLogger {
  debug(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/**
 * Adapts a pino logger (or a child of one, or bunyan) to {@link OncelyLogger}.
 *
 * oncely calls `logger.error(message, context)`, the order of `console` and Powertools'
 * Logger, which both take it as is. pino takes the object first and reads anything after
 * the message as printf arguments, so passed directly it would drop the context. An
 * explicit adapter, rather than guessing the logger's kind at run time, is what pino's
 * own ecosystem does (fastify, pino-http): nothing is detected, nothing can misfire.
 * It also renames `error` to `err`, the key pino's standard serializer turns into
 * `{ type, message, stack }`; under any other key an `Error` serializes as `{}`.
 *
 * @example
 * import pino from 'pino';
 * import { createDeduper, pinoLogger } from '@oncely/core';
 *
 * const deduper = createDeduper({ store, namespace: 'payments', logger: pinoLogger(pino()) });
 */
export function pinoLogger(logger: ObjectFirstLogger): OncelyLogger {
  const at =
    (level: keyof ObjectFirstLogger) =>
    (message: string, context: Record<string, unknown>): void => {
      const { error, ...rest } = context;
      logger[level]('error' in context ? { ...rest, err: error } : rest, message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * The default logger: info, warnings and errors to the console (`console.info`,
 * `console.warn`, `console.error`), each as the message followed by its context; debug
 * lines are dropped. So a failure is never silent, and a healthy consumer prints nothing:
 * oncely logs only what went wrong or needs a look (the README's logging table lists every
 * line and its level). Pass `silentLogger` to turn it off, or any {@link OncelyLogger}.
 *
 * @example
 * // The same as leaving `logger` out:
 * const deduper = createDeduper({ store, namespace: 'payments', logger: consoleLogger });
 */
export const consoleLogger: OncelyLogger = {
  debug: () => {},
  // Looked up at each call, so a test (or a Lambda runtime) that replaces console methods
  // is honoured.
  info: (message, context) => console.info(message, context),
  warn: (message, context) => console.warn(message, context),
  error: (message, context) => console.error(message, context),
};
