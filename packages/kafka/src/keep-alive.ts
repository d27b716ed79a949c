/**
 * Runs `work` while heartbeating every `intervalMs`, so a handler longer than the
 * session timeout does not get the member evicted (kafkajs heartbeats only when
 * asked). A failed heartbeat here is not lost: the client does not record a failed
 * heartbeat as sent, so the next explicit `heartbeat()` after the message, which
 * kafkajs and the batch loop both make, fails the same way and starts the rejoin.
 */
export async function withHeartbeat<T>(
  heartbeat: () => Promise<void>,
  intervalMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => {
    heartbeat().catch(() => {
      // Surfaced by the next explicit heartbeat; see above.
    });
  }, intervalMs);
  // A heartbeat must never keep a process alive on its own.
  timer.unref?.();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
