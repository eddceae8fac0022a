// Checks the app manager packages (MySQL, PostgreSQL, DynamoDB) share beyond @sockudo/test-suite's
// conformance suite: a node serving apps only the store knows to the real SDKs, failures that name the
// store and not the password, and the policy JSON Rust Sockudo reads back.

import { type App, type AppManagerV1, SockudoError } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closedPort,
  connected,
  pusherBackend,
  pusherClient,
  refusalCode,
  roundTrip,
  startNode,
  stopAll,
  upgradeStatus,
  watchProcessErrors,
} from './end-to-end.js';

/** The apps the end-to-end tests expect in the store: seed them (enabled and disabled) before they run. */
export const END_TO_END_APPS = {
  enabled: { id: 'db-app', key: 'db-app-key', secret: 'db-app-secret' },
  disabled: { id: 'db-off', key: 'db-off-key', secret: 'db-off-secret' },
} as const;

/** Options of {@link appManagerEndToEndTests}. */
export interface AppManagerEndToEndOptions {
  /** The store in titles and payloads, e.g. `'MySQL'`. */
  store: string;
  /** The factory in the title, e.g. `'createMysqlAppManager'`. */
  factory: string;
  /** A manager over the store holding {@link END_TO_END_APPS}. */
  appManager(): AppManagerV1;
  /** A manager whose store would be at 127.0.0.1:`port` (nothing listens there). */
  unreachable(port: number): AppManagerV1;
  /** Text the unreachable manager's `checkHealth()` error must contain, e.g. its host and port. */
  unreachableWhere(port: number): string;
}

/**
 * A Sockudo node whose apps live only in the store: pusher-js connects with a key from it and receives an
 * event the `pusher` SDK triggers with the secret from it; unknown and disabled keys are refused; an
 * unreachable store makes upgrades fail with 503 while the node keeps running.
 */
export function appManagerEndToEndTests(options: AppManagerEndToEndOptions): void {
  const { enabled, disabled } = END_TO_END_APPS;
  const greeting = { hello: `from ${options.store.toLowerCase()}` };

  afterEach(() => stopAll());

  describe(`createServer with ${options.factory}`, () => {
    it('serves an app that exists only in the store to pusher-js and the pusher SDK', async () => {
      const { port } = await startNode(options.appManager());
      const client = pusherClient(port, enabled.key);
      await connected(client);
      const data = await roundTrip(client, pusherBackend(port, enabled), 'orders', greeting);
      expect(data).toEqual(greeting);
    });

    it('refuses an unknown key with 4001 and a disabled app with 4003', async () => {
      const { port } = await startNode(options.appManager());
      expect(await refusalCode(pusherClient(port, 'not-in-the-table'))).toBe(4001);
      expect(await refusalCode(pusherClient(port, disabled.key))).toBe(4003);
    });

    it('refuses a trigger signed with another secret', async () => {
      const { port } = await startNode(options.appManager());
      const forged = pusherBackend(port, { ...enabled, secret: 'not-the-secret' });
      await expect(forged.trigger('orders', 'greeting', {})).rejects.toMatchObject({ status: 401 });
    });

    it(`with ${options.store} unreachable, refuses upgrades with 503 and keeps running; no unhandled rejection`, async () => {
      const watch = watchProcessErrors();
      try {
        const port = await closedPort();
        const down = options.unreachable(port);
        await expect(down.checkHealth?.()).rejects.toThrow(options.unreachableWhere(port));
        const node = await startNode(down);
        expect(await upgradeStatus(node.port, enabled.key)).toBe(503);
        expect(await upgradeStatus(node.port, enabled.key)).toBe(503);
        const response = await fetch(`http://127.0.0.1:${node.port}/`);
        expect(response.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(watch.errors).toEqual([]);
      } finally {
        watch.stop();
      }
    });
  });
}

/**
 * Asserts that `down` (a manager whose store is unreachable) rejects `checkHealth`, `findByKey` and
 * `findById` with a SockudoError matching `where` (a RegExp source naming the store), without `secret`
 * in message or stack, within `withinMs`, and that closing it twice raises nothing in the process.
 */
export async function expectUnreachable(
  down: AppManagerV1 & { checkHealth(): Promise<void>; close(): Promise<void> },
  where: string,
  secret: string,
  withinMs: number,
): Promise<void> {
  const watch = watchProcessErrors();
  try {
    const started = Date.now();
    for (const call of [() => down.checkHealth(), () => down.findByKey('k'), () => down.findById('i')]) {
      const error = (await call().then(
        () => undefined,
        (e: unknown) => e,
      )) as Error;
      expect(SockudoError.isInstance(error)).toBe(true);
      expect(error.message).toMatch(new RegExp(`${where}.*ECONNREFUSED`));
      expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(secret);
    }
    expect(Date.now() - started).toBeLessThan(withinMs);
    await down.close();
    await down.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(watch.errors).toEqual([]);
  } finally {
    watch.stop();
  }
}

/**
 * Asserts that `policy` (the stored policy JSON, parsed) is Rust Sockudo's `AppPolicy` for `app`, the
 * `writtenApp()` of @sockudo/test-suite: limits, features, channels and both webhooks in its shape.
 */
export function expectWrittenPolicy(
  // biome-ignore lint/suspicious/noExplicitAny: the stored policy is arbitrary nested JSON
  policy: any,
  app: App,
): void {
  expect(policy.limits).toMatchObject({
    max_connections: 300,
    max_event_batch_size: 30,
    terminate_on_limit: true,
  });
  expect(policy.features).toEqual({
    enable_client_messages: true,
    enable_user_authentication: true,
    enable_watchlist_events: true,
  });
  expect(policy.channels).toEqual({ allowed_origins: app.allowedOrigins });
  expect(policy.webhooks).toEqual([
    {
      url: 'https://written.example.com/hook',
      event_types: ['client_event', 'member_removed'],
      filter: { channel_prefix: 'private-', channel_suffix: '-x', channel_pattern: '^private-[0-9]+-x$' },
      headers: { 'X-Api-Key': 'abc' },
    },
    { url: 'https://written.example.com/all', event_types: [] },
  ]);
}
