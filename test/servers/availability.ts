import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { jarsCached } from './maven.js';
import { ALL_SERVER_KINDS, type ServerKind } from './types.js';

const run = promisify(execFile);

/** The environment variable that hands the launcher an existing server of each kind. */
export const ENDPOINT_ENV: Record<ServerKind, string> = {
  dynamodb: 'DYNAMODB_ENDPOINT',
  sqs: 'SQS_ENDPOINT',
  kafka: 'KAFKA_BROKERS',
};

/** The endpoint given in the environment for `kind`, if any. */
export function endpointFromEnv(kind: ServerKind): string | undefined {
  const value = process.env[ENDPOINT_ENV[kind]]?.trim();
  return value ? value : undefined;
}

/** What this machine offers for starting servers; see {@link availability}. */
export interface Availability {
  /** Kinds whose endpoint is given in the environment. */
  env: ServerKind[];
  /** A Docker engine answers (not just the client). */
  docker: boolean;
  /** Java 17 or newer is on the PATH. */
  java: boolean;
  /** Maven is on the PATH (only needed while some jars are not cached yet). */
  maven: boolean;
  /** Kinds whose jars are already in the cache. */
  cachedJars: ServerKind[];
  /** Asked-for kinds that no route can start. */
  missing: ServerKind[];
  /** One line saying what to install, when something is missing. */
  hint?: string;
}

async function succeeds(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: timeoutMs });
    return `${stdout}${stderr}`;
  } catch {
    return undefined;
  }
}

let dockerProbe: Promise<boolean> | undefined;
let javaProbe: Promise<boolean> | undefined;
let mavenProbe: Promise<boolean> | undefined;

/**
 * True when a Docker engine answers. `docker info` fails fast without an engine, but a
 * dead remote DOCKER_HOST can hang, hence the short timeout. Probed once per process.
 */
export function dockerAvailable(): Promise<boolean> {
  dockerProbe ??= succeeds('docker', ['info', '--format', '{{.ServerVersion}}'], 5_000).then(
    (out) => out !== undefined && out.trim() !== '',
  );
  return dockerProbe;
}

/** True when `java` is 17 or newer (DynamoDB Local 3 needs 17). Probed once per process. */
export function javaAvailable(): Promise<boolean> {
  javaProbe ??= succeeds('java', ['-version'], 10_000).then((out) => {
    const major = /version "(\d+)/.exec(out ?? '')?.[1];
    return major !== undefined && Number(major) >= 17;
  });
  return javaProbe;
}

/** True when `mvn` runs. Probed once per process. */
export function mavenAvailable(): Promise<boolean> {
  mavenProbe ??= succeeds('mvn', ['-v', '-B'], 15_000).then((out) => out !== undefined);
  return mavenProbe;
}

/**
 * Which routes to a server this machine has, so callers can decide to skip instead of fail.
 *
 * @example
 * const a = await availability(['dynamodb']);
 * if (a.missing.length > 0) console.warn(a.hint);
 */
export async function availability(
  kinds: readonly ServerKind[] = ALL_SERVER_KINDS,
): Promise<Availability> {
  const env = kinds.filter((kind) => endpointFromEnv(kind) !== undefined);
  const needed = kinds.filter((kind) => !env.includes(kind));
  const [docker, java, maven, cached] = await Promise.all([
    needed.length > 0 ? dockerAvailable() : false,
    needed.length > 0 ? javaAvailable() : false,
    needed.length > 0 ? mavenAvailable() : false,
    Promise.all(kinds.map(async (kind) => ((await jarsCached(kind)) ? kind : undefined))),
  ]);
  const cachedJars = cached.filter((kind): kind is ServerKind => kind !== undefined);
  const missing = docker
    ? []
    : needed.filter((kind) => !java || !(maven || cachedJars.includes(kind)));
  const result: Availability = { env, docker, java, maven, cachedJars, missing };
  if (missing.length > 0) {
    const vars = missing.map((kind) => ENDPOINT_ENV[kind]).join(', ');
    result.hint =
      `no way to start ${missing.join(', ')}: install Java 17+ and Maven ` +
      `(servers run as local JVM processes), or Docker, or set ${vars}`;
  }
  return result;
}
