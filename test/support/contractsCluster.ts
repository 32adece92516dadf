import type { TestProject } from 'vitest/node';
import { startRedisCluster } from './redisTopology';

/**
 * Vitest globalSetup of the contracts project: one private three-master Redis Cluster for every
 * contract file (docs/redis.md, Cluster), its seed nodes provided as `redisClusterNodes`
 * (redisTopology.ts clusterNodes()); each suite keeps to a key root of its own, and the cluster's
 * processes are killed when the run ends.
 */
export default async function startContractsCluster(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startRedisCluster();
  project.provide('redisClusterNodes', cluster.nodes);
  return () => cluster.stop();
}
