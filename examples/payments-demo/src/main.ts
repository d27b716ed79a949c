import { openBackends } from './backends.js';
import { type Command, parseCommand, USAGE, UsageError } from './cli.js';
import { formatReport } from './report.js';
import { runDemo } from './run.js';

/**
 * `npm run demo`: 200 payments through SQS into a Lambda-style consumer, without oncely,
 * with oncely, and with oncely's transactional mode, side by side. See `USAGE` for the
 * flags. Sets `process.exitCode` and returns rather than calling `process.exit`, so the
 * process ends only when nothing is left open.
 */
async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (command.kind === 'help') {
    console.log(USAGE);
    return;
  }
  const backends = await openBackends(command.backends);
  try {
    const result = await runDemo(backends);
    console.log(command.json ? JSON.stringify(result, jsonReplacer, 2) : formatReport(result));
  } finally {
    await backends.close();
  }
}

/** The plan's crash map as an object, so `--json` shows it. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value) : value;
}

await main().catch((error: unknown) => {
  console.error('the demo failed:', error);
  process.exitCode = 1;
});
