import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` runs everywhere with no servers; `integration` starts the real
 * servers (DynamoDB Local, ElasticMQ, Kafka) once through the launcher in `test/servers`.
 * `@oncely/<pkg>` and `@oncely/<pkg>/testing` resolve to the TypeScript sources, so
 * tests never need a build first.
 */
const packages = fileURLToPath(new URL('./packages/', import.meta.url));
const resolve = {
  alias: [
    {
      find: /^@oncely\/(core|dynamodb|sqs|kafka|webhook)((?:\/[\w-]+)*)$/,
      replacement: `${packages}$1/src$2/index.ts`,
    },
  ],
};

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
            'test/**/*.test.ts',
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
