/**
 * Installs `@confluentinc/kafka-javascript` into this folder for the Kafka scenario suite;
 * run by the root `postinstall`, so `npm install` at the root is the only step.
 *
 * The client is a native addon (librdkafka through NAN). Its install script downloads a
 * prebuilt binary from GitHub and, where that fails, builds from source with node-gyp; the
 * default static build downloads zlib, OpenSSL and zstd too. `CKJS_LINKING=dynamic` links
 * librdkafka against the system's zlib and OpenSSL instead (the `zlib1g-dev` and `libssl-dev`
 * packages), so the build needs nothing from the internet but the registry. It is not a
 * workspace dependency because npm would run its install script without that variable.
 *
 * A NAN addon loads only on the Node ABI it was built for, so the build is recorded in
 * `node_modules/.oncely-build.json` (`abi`: `process.versions.modules`); `vitest.config.ts`
 * reads it to decide whether the Confluent scenario files can run on the current Node.
 * Skipped when the recorded build is for this ABI and loads. Fails `npm install` on error;
 * `ONCELY_SKIP_CONFLUENT=1` skips it on a machine that cannot build (the Confluent tests
 * and the type-check of its binding then cannot run; CI refuses that).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const marker = join(here, 'node_modules', '.oncely-build.json');
const client = '@confluentinc/kafka-javascript';
const pinned = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).dependencies[client];
const log = (line) => console.log(`[confluent] ${line}`);

function recorded() {
  try {
    return JSON.parse(readFileSync(marker, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether the installed client loads on this Node (the addon is dlopened by `require`). */
function loads() {
  const probe = spawnSync(
    process.execPath,
    ['-e', `require(${JSON.stringify(client)}).KafkaJS.Kafka`],
    { cwd: here, encoding: 'utf8' },
  );
  return probe.status === 0;
}

function main() {
  if (process.env.ONCELY_SKIP_CONFLUENT === '1') {
    log('ONCELY_SKIP_CONFLUENT=1: not installing the Confluent client');
    return;
  }
  const abi = process.versions.modules;
  const build = recorded();
  if (build?.abi === abi && build.version === pinned && loads()) {
    log(`${client}@${pinned} is already built for Node ${build.node} (ABI ${abi})`);
    return;
  }
  // A build for another ABI, or a broken one: npm would keep the package and not rerun its
  // install script, so start from nothing.
  rmSync(join(here, 'node_modules'), { recursive: true, force: true });
  log(`building ${client}@${pinned} for Node ${process.versions.node} (ABI ${abi}), ~2 minutes`);
  const started = Date.now();
  // The npm that runs this postinstall, not whichever is first on PATH.
  const npm = process.env.npm_execpath;
  const [command, args] = npm
    ? [process.execPath, [npm]]
    : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
  const env = Object.fromEntries(
    // The outer install's npm_* settings (its prefix, workspaces, lifecycle event) would
    // point the nested install back at the monorepo.
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
  );
  const result = spawnSync(
    command,
    [...args, 'install', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', here],
    { cwd: here, stdio: 'inherit', env: { ...env, CKJS_LINKING: 'dynamic' } },
  );
  if (result.status !== 0 || !loads()) {
    console.error(
      `[confluent] FAILED to build ${client}@${pinned} (exit ${result.status ?? result.signal}).\n` +
        '  It builds librdkafka from source against the system zlib and OpenSSL: install\n' +
        '  a C/C++ toolchain, make, python3, zlib1g-dev and libssl-dev (or their equivalents).\n' +
        '  To install the monorepo without it: ONCELY_SKIP_CONFLUENT=1 npm install',
    );
    process.exit(1);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(
    marker,
    `${JSON.stringify({ version: pinned, abi, node: process.versions.node, platform: process.platform, arch: process.arch, seconds }, null, 2)}\n`,
  );
  log(`built in ${seconds} s for Node ${process.versions.node} (ABI ${abi})`);
}

main();
