import { defineConfig } from 'vitest/config';

// Two projects, both run in CI: `unit` needs no root, network or real clock;
// `interop` drives real routers in network namespaces and runs serially.
export default defineConfig({
  test: {
    passWithNoTests: true,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['**/*.interop.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'interop',
          include: ['packages/*/test/**/*.interop.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
