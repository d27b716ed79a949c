import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` runs everywhere with no servers; `integration` starts the real
 * servers (DynamoDB Local, ElasticMQ, Kafka) once through the launcher in `test/servers`.
 *
 * Workspace packages resolve to their TypeScript sources through the `oncely-source`
 * export condition each package declares in its `exports` (the same condition
 * `tsconfig.json` sets in `customConditions` and the scripts pass to `tsx`), so tests never
 * need a build first and a new package or subpath needs no entry here. Vitest adds its
 * default server conditions (`node`, `development|production`) to this list.
 */
const resolve = { conditions: ['oncely-source'] };

/**
 * `@platformatic/kafka` requires Node 22.22+ or 24.6+ (its `engines`), and CI runs this
 * suite on Node 20 first, then on 22 and 24. Its tests load the client, so on an older Node
 * they are not collected at all (a skipped test would count as a defect); the binding's unit
 * tests use a fake stream and run everywhere.
 */
const [nodeMajor = 0] = process.versions.node.split('.').map(Number);
const clientExcludes = nodeMajor >= 22 ? [] : ['**/*platformatic*.int.test.ts'];

/**
 * The Confluent client (`@confluentinc/kafka-javascript`) is a NAN addon: it loads only on
 * the Node ABI it was built for. The root `postinstall` builds it into `test/clients/confluent`
 * and records that ABI (`test/clients/confluent/install.mjs`); CI then reruns vitest on
 * Node 22 and 24 without reinstalling, where it cannot load. So its files are collected only
 * when the recorded build is for the running Node. In CI a missing record means the build
 * did not run or did not land: that fails here rather than dropping the suite silently.
 */
const confluentFiles = '**/*confluent*.int.test.ts';
const confluentBuild = (() => {
  try {
    return JSON.parse(
      readFileSync(
        new URL('./test/clients/confluent/node_modules/.oncely-build.json', import.meta.url),
        'utf8',
      ),
    );
  } catch {
    return undefined;
  }
})() as { abi?: string; node?: string } | undefined;
if (process.env.CI === 'true' && confluentBuild === undefined) {
  throw new Error(
    'the Confluent client was not built (no test/clients/confluent/node_modules/.oncely-build.json): run npm install',
  );
}
const confluentExclude = confluentBuild?.abi === process.versions.modules ? [] : [confluentFiles];
const shared = { resolve, ssr: { resolve } };

export default defineConfig({
  ...shared,
  test: {
    // Integration files share three servers; two cores are enough for two files at once.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: [
            'packages/*/test/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          include: [
            'packages/*/test/**/*.int.test.ts',
            'examples/*/test/**/*.int.test.ts',
            'test/**/*.int.test.ts',
          ],
          exclude: ['**/node_modules/**', ...clientExcludes, ...confluentExclude],
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
