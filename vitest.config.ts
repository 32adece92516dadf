import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // services: Redis and RabbitMQ up; buildUi: the agent UI the browser tests load is built from these sources.
    globalSetup: ['test/support/services.ts', 'test/e2e/buildUi.ts'],
    reporters: ['default'],
  },
});
