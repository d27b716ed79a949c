import { randomBytes } from 'node:crypto';

/** Where the ID's 16 bytes come from; tests pass their own to force an edge case. */
export type RandomBytes = (size: number) => Buffer;

/** All zero, and `0…01` (the metadata topic's ID): Kafka's `Uuid.RESERVED`. */
function reserved(bytes: Buffer): boolean {
  return bytes.subarray(0, 15).every((byte) => byte === 0) && (bytes[15] as number) <= 1;
}

/**
 * A KRaft cluster ID for `kafka.tools.StorageTool format -t <id>`: 16 random bytes,
 * base64url without padding (22 characters), drawn the way Kafka's `Uuid.randomUuid()`
 * draws them. One base64url string in 64 starts with `-`, which StorageTool's option
 * parser reads as an option ("--cluster-id: expected one argument"); Kafka's own
 * generator draws again in that case, and for its reserved IDs, and so does this one.
 */
export function kraftClusterId(random: RandomBytes = randomBytes): string {
  for (;;) {
    const bytes = random(16);
    const id = bytes.toString('base64url');
    if (!id.startsWith('-') && !reserved(bytes)) return id;
  }
}
