import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/*/src/**/*.test.ts',
      'shared/*/test/**/*.test.ts',
      'servers/*/src/**/*.test.ts',
      'servers/*/test/**/*.test.ts',
      'a2a/**/*.test.ts',
      'deploy/test/**/*.test.ts',
    ],
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
