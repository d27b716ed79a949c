import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` runs everywhere with no servers; `integration` starts the real
 * servers (DynamoDB Local, ElasticMQ, Kafka) once through the launcher in `test/servers`.
 * The `oncely-source` condition resolves workspace packages to their TypeScript sources,
 * so tests never need a build first.
 */
const resolve = { conditions: ['oncely-source'] };

export default defineConfig({
  resolve,
  test: {
    // Integration files share three servers; two cores are enough for two files at once.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: [
            'packages/*/test/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: [
            'packages/*/test/**/*.int.test.ts',
            'examples/*/test/**/*.int.test.ts',
            'test/**/*.int.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
