/**
 * PostgreSQL and Redis are not started by the launcher: every machine runs them as
 * services (see the README's Development section). This module says where they are (an
 * endpoint in the environment, else the local service) and whether they answer.
 */
import { connect } from 'node:net';

/** The services the integration tests use besides the launched servers. */
export const SERVICE_KINDS = ['postgres', 'redis'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** The environment variable that points the tests at a service, and its local default. */
export const SERVICE_ENV: Record<ServiceKind, { name: string; fallback: string }> = {
  postgres: { name: 'POSTGRES_URL', fallback: 'postgres://postgres@127.0.0.1:5432/test' },
  redis: { name: 'REDIS_URL', fallback: 'redis://127.0.0.1:6379' },
};

/** The URL of `kind`: the environment's, else the local service's. */
export function serviceUrl(kind: ServiceKind): string {
  const { name, fallback } = SERVICE_ENV[kind];
  const value = process.env[name]?.trim();
  return value ? value : fallback;
}

/** True when something accepts TCP connections at the URL's host and port. */
export function reachable(url: string, timeoutMs = 2_000): Promise<boolean> {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol.startsWith('redis') ? 6379 : 5432;
  const port = Number(parsed.port || defaultPort);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The services that do not answer, with one line saying how to start them. */
export async function missingServices(): Promise<{ missing: ServiceKind[]; hint?: string }> {
  const checks = await Promise.all(
    SERVICE_KINDS.map(async (kind) => [kind, await reachable(serviceUrl(kind))] as const),
  );
  const missing = checks.filter(([, ok]) => !ok).map(([kind]) => kind);
  if (missing.length === 0) return { missing };
  const where = missing.map((kind) => `${kind} at ${serviceUrl(kind)}`).join(', ');
  return {
    missing,
    hint: `no answer from ${where}: start the service, or set ${missing.map((kind) => SERVICE_ENV[kind].name).join(' / ')}`,
  };
}
