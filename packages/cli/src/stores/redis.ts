import { CliError, EXIT_CODES } from '../exit-codes.js';
import type { Operator } from '../operator.js';
import type { RedisTarget } from '../store-url.js';

/** Until `@oncely/redis` lands: a clear error rather than a half-made operator. Internal. */
export async function redisOperator(_target: RedisTarget): Promise<Operator> {
  throw new CliError(
    'the Redis store is not supported by this version of @oncely/cli yet',
    EXIT_CODES.usage,
  );
}
