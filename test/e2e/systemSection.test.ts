// The admin console's System section as IT reads it (issue 14): where the call history is kept (a
// SQLite file, or PostgreSQL with its health, and the banner while it is away), Redis as a Cluster without database numbers,
// RabbitMQ with its queue type. Debian's Chromium on the built UI, served by a real Ringside on a
// fresh PostgreSQL database, a private Redis Cluster and RabbitMQ quorum queues of its own.
// Screenshots go to artifacts/screenshots/ (system embedded, system postgresql, system central server).
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAgentUi, saveScreenshot } from '../support/browser';
import { browserRig } from '../support/browserRig';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { RabbitTestRig, TEST_SHARDS } from '../support/rabbit';
import { startRedisCluster, type ClusterTopology } from '../support/redisTopology';
import { startTestRingside, TEST_TOKEN } from '../support/ringside';
import { AMQP_URL, uniqueName } from '../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../support/tcpProxy';

let database: TestDatabase | null = null;
let cluster: ClusterTopology | null = null;
let rabbit: RabbitTestRig | null = null;
let proxy: TcpProxy | null = null;

const rig = browserRig({
  noPageProblems: true,
  afterTest: async () => {
    await proxy?.close();
    await database?.drop();
    await cluster?.stop();
    await rabbit?.cleanup();
    database = null;
    cluster = null;
    rabbit = null;
    proxy = null;
  },
});

const TIMEOUT = 90_000;
/** The local server trusts 127.0.0.1 (test/support/postgres.ts): any password is let in, so this one can be looked for on the page. */
const PG_PASSWORD = 'pg-console-secret-5318';

async function freshDatabase(): Promise<{ url: string; name: string }> {
  database = await createTestDatabase('console');
  const url = new URL(database.url);
  url.password = PG_PASSWORD;
  return { url: url.toString(), name: database.name };
}

/** The admin console's System section, opened with the admin token. */
async function openSystem(): Promise<Page> {
  const ui = await openAgentUi(rig.browser, rig.ringside!.instance.apiUrl, TEST_TOKEN);
  rig.pages.push(ui);
  await ui.page.getByRole('tab', { name: 'Admin' }).click();
  await ui.page.getByRole('tab', { name: 'System' }).click();
  return ui.page;
}

describe('the System section', () => {
  it('system embedded: the call history is a SQLite file on this computer, named by its path', { timeout: TIMEOUT }, async () => {
    rig.ringside = await startTestRingside();
    const page = await openSystem();
    const row = page.locator('[data-service="database"]');
    await row.waitFor();
    expect((await row.innerText()).replace(/\s+/g, ' ')).toBe(`SQLite file on this computer ${join(rig.ringside.dataDir, 'ringside.db')}`);
    expect(await page.locator('dl[aria-label="Shared services"]').count()).toBe(0);
    await page.getByText('Single seat (everything on this computer)').waitFor();
    await saveScreenshot(page, 'system embedded');
  });

  it('system postgresql: the call history database row says PostgreSQL at host:port/database, up or down as health says, and its Test passes', { timeout: TIMEOUT }, async () => {
    const db = await freshDatabase();
    proxy = await startTcpProxy(targetOf(db.url, 5432));
    rig.ringside = await startTestRingside({ database: proxy.url(db.url) });
    const page = await openSystem();
    const row = page.locator('[data-service="database"]');
    // Up as the health message says (the Ringside's own connection), beside where it is.
    await row.locator('.state--up', { hasText: 'up' }).waitFor();
    expect(await row.innerText()).toContain(`PostgreSQL at 127.0.0.1:${proxy.port}/${db.name}`);
    expect(await page.locator('dt', { hasText: 'Call history database' }).count()).toBe(1);
    await page.getByText('Shared with other seats').waitFor();
    await page.getByRole('button', { name: 'Test Call history database' }).click();
    await page.locator('[data-test-result="database"]', { hasText: 'test passed' }).waitFor();
    await saveScreenshot(page, 'system postgresql');

    // PostgreSQL taken away: the row says down as soon as a health message does, and the Test says why.
    proxy.pause({ newConnections: 'refuse' });
    await page.getByRole('button', { name: 'Test Call history database' }).click();
    await page.locator('[data-test-result="database"]', { hasText: 'test failed' }).waitFor();
    await row.locator('.state--down', { hasText: 'down' }).waitFor();
    const banner = page.getByTestId('health-banner');
    await banner.getByText('The call history database is unreachable').waitFor();
    await saveScreenshot(page, 'system postgresql down');
    // Back: the next health message says up (the row follows health; the Test's answer keeps its time).
    proxy.resume();
    await row.locator('.state--up', { hasText: 'up' }).waitFor();
    await banner.waitFor({ state: 'detached' });
    expect(await page.locator('body').innerText()).not.toContain(PG_PASSWORD);
  });

  it('system central server: PostgreSQL, a Redis Cluster by its nodes and no database numbers, RabbitMQ quorum queues', { timeout: TIMEOUT }, async () => {
    const db = await freshDatabase();
    cluster = await startRedisCluster();
    rabbit = new RabbitTestRig({ queueType: 'quorum' });
    const nodes = cluster.nodes.map((n) => `${n.host}:${n.port}`);
    rig.ringside = await startTestRingside({
      database: db.url,
      redis: { cluster: nodes, keyPrefix: uniqueName('console') },
      amqp: { url: AMQP_URL, ...rabbit.names, shards: TEST_SHARDS, queueType: 'quorum' },
    });
    const page = await openSystem();
    const shared = page.locator('dl[aria-label="Shared services"]');
    await shared.locator('[data-service="database"] .state--up').waitFor();
    const redis = shared.locator('[data-service="redis"]');
    await redis.locator('.state--up').waitFor();
    expect(await redis.innerText()).toContain(`Cluster: ${nodes.join(', ')}`);
    expect(await redis.innerText()).not.toContain('DB');
    const rabbitRow = shared.locator('[data-service="rabbitmq"]');
    expect(await rabbitRow.innerText()).toContain('quorum queues (replicated)');
    expect(await rabbitRow.innerText()).toContain(`queue ${rabbit.names.queue} ×${TEST_SHARDS}`);
    expect(await page.locator('body').innerText()).not.toContain(PG_PASSWORD);
    await saveScreenshot(page, 'system central server');
  });
});
