/**
 * Measures the process's CPU time (user + system, every thread: the event loop, the
 * SDK's TLS/HTTP work, GC) between `start` and `stop`. The servers run in other
 * processes, so this is the consumer's own cost.
 *
 * @example
 * const cpu = startCpuMeter();
 * await work();
 * const cpuMs = cpu.stop(); // milliseconds of CPU spent by this process
 */
export function startCpuMeter(): { stop(): number } {
  const started = process.cpuUsage();
  return {
    stop() {
      const used = process.cpuUsage(started);
      return (used.user + used.system) / 1000;
    },
  };
}
