import { randomUUID } from 'node:crypto';

/** A fresh random owner token: unguessable, so only the claimant can complete its claim. */
export function newToken(): string {
  return randomUUID();
}
