import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Four projects, run in this order by one `vitest run` (sequence.groupOrder: a group starts only
// after the one before it has finished):
//   unit         test/unit/**         no Redis, no RabbitMQ, no UI build (proved by running it where
//                                      nothing listens on 127.0.0.1); must stay well under a minute
//   contracts    test/contracts/**    one contract suite per port, run against every adapter
//   integration  test/integration/**  real server in-process, CLI child processes, Redis/RabbitMQ/PostgreSQL
//   e2e          test/e2e/**          Chromium (playwright-core) against the built agent UI
// `vitest run --project <name>` (npm run test:<name>) runs one of them with only its own globalSetup.
// The globalSetups live in the projects, not at the root: the root's would run for every project.

/** services: Redis, RabbitMQ and PostgreSQL up (scripts/ensure-services.sh installs and starts them if needed). */
const SERVICES = 'test/support/services.ts';
/** redisCluster: a private three-master Redis Cluster the contract suites also run against. */
const REDIS_CLUSTER = 'test/support/contractsCluster.ts';
/** buildUi: the agent UI the browser tests load is built from these sources. */
const BUILD_UI = 'test/e2e/buildUi.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        // Small files whose time goes mostly into starting a fork: two at a time even on two cores
        // (vitest's default there is one).
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], maxWorkers: Math.max(2, availableParallelism() - 1), sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'contracts', include: ['test/contracts/**/*.test.ts'], globalSetup: [SERVICES, REDIS_CLUSTER], sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: [SERVICES], sequence: { groupOrder: 2 } },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: [SERVICES, BUILD_UI], sequence: { groupOrder: 3 } },
      },
    ],
  },
});
