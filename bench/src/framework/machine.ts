import os from 'node:os';

/** The machine a run happened on, written beside every result. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  /** 1-minute load average when the run started: a busy machine shows here. */
  readonly loadAverage1m: number;
  /** ISO date of the run. */
  readonly date: string;
}

/**
 * Describes this machine now.
 *
 * @example
 * machineInfo(); // { cpuModel: 'Intel(R) Xeon(R) Processor', cores: 2, node: 'v20.20.2', ... }
 */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    date: new Date().toISOString(),
  };
}

/**
 * One line for the top of the output.
 *
 * @example
 * describeMachine(machineInfo()); // 'Intel(R) Xeon(R) Processor, 2 cores, 23 GiB, Node v20.20.2, linux/x64, load 0.52'
 */
export function describeMachine(machine: MachineInfo): string {
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}/${machine.arch}, load ${machine.loadAverage1m}`;
}
