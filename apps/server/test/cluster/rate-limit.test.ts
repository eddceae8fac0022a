// rate_limiter.driver redis: two instances count an app's max_backend_events_per_second in one
// shared Redis window, so the limit holds for the app, not per instance.

import { afterAll, describe, expect, it } from 'vitest';
import { redisBroker } from './brokers.js';
import { startCluster, statusOf, testApp } from './nodes.js';
import { Scope } from './scope.js';
import { uid } from './waits.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';

/** Five triggers at once, alternating between the two instances; resolves with their statuses. */
async function fiveTriggers(app: ReturnType<typeof testApp>, extra: Record<string, unknown>, scope: Scope) {
  const nodes = await startCluster(scope, 2, { driver: 'local' }, app, extra);
  const channel = `limited-${uid()}`;
  return Promise.all(
    [0, 1, 2, 3, 4].map((i) => statusOf(nodes[i % 2]!.backend.trigger(channel, 'event', { i }))),
  );
}

describe('rate limits over two instances', () => {
  const scope = new Scope();
  afterAll(() => scope.close(), 30_000);

  it('the redis rate limiter enforces one limit shared by both instances', async () => {
    await redisBroker(REDIS_URL).require();
    const app = testApp({ max_backend_events_per_second: 3 });
    const statuses = await fiveTriggers(
      app,
      {
        database: { redis: { url: REDIS_URL } },
        // A fresh key prefix, so no other run shares this window.
        rate_limiter: { enabled: true, driver: 'redis', redis: { prefix: `sockudo_test_rl_${uid()}:` } },
      },
      scope,
    );
    expect(
      statuses.filter((s) => s === 200),
      `statuses ${statuses}`,
    ).toHaveLength(3);
    expect(
      statuses.filter((s) => s === 429),
      `statuses ${statuses}`,
    ).toHaveLength(2);
  }, 30_000);

  it('(control) the memory rate limiter counts on each instance alone', async () => {
    const app = testApp({ max_backend_events_per_second: 3 });
    const statuses = await fiveTriggers(app, { rate_limiter: { enabled: true, driver: 'memory' } }, scope);
    // 3 went to one instance and 2 to the other: each stays within its own limit of 3.
    expect(statuses, `statuses ${statuses}`).toEqual([200, 200, 200, 200, 200]);
  }, 30_000);
});
