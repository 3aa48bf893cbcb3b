import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Fixed seed for fast-check reproducibility is set per test; keep runs isolated.
    restoreMocks: true,
  },
});
