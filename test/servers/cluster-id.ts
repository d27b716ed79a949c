import { randomBytes } from 'node:crypto';

/** Where the ID's 16 bytes come from; tests pass their own to force an edge case. */
export type RandomBytes = (size: number) => Buffer;

/**
 * A KRaft cluster ID for `kafka.tools.StorageTool format -t <id>`: 16 random bytes,
 * base64url without padding (22 characters).
 */
export function kraftClusterId(random: RandomBytes = randomBytes): string {
  return random(16).toString('base64url');
}
