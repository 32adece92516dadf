/**
 * The second process of the cache bench (tools/bench/cache.ts forks it): a directory cache on the same
 * Redis that reports, over IPC, when each invalidation event reached it (performance.timeOrigin +
 * performance.now(): comparable across processes of one machine).
 */
import { Redis } from 'ioredis';
import { openRedisCache } from '../../src/app/cache/openCache';
import { createLogger } from '../../src/shared/logger';

const [url, db, root] = process.argv.slice(2);
const cache = openRedisCache({ target: { kind: 'url', url: url! }, db: Number(db), root: root!, node: 'bench-second', logger: createLogger({ level: 'silent' }), names: { commands: 'bench-second', subscriber: 'bench-second-sub' } });
cache.listen((notice) => {
  if (notice.type === 'event') process.send!({ id: notice.event.id, at: String(process.hrtime.bigint()) });
});
// The baseline: a plain subscriber on a connection of its own, no cache code.
const plain = new Redis(url!, { connectionName: 'bench-second-plain' });
plain.on('message', (_channel: string, id: string) => process.send!({ plain: id, at: String(process.hrtime.bigint()) }));
await plain.subscribe(`${root}:bench:plain`);
await cache.ready();
process.send!({ ready: true });
process.on('message', (message) => {
  if (message === 'stop') {
    plain.disconnect();
    void cache.close().then(() => process.exit(0));
  }
});
