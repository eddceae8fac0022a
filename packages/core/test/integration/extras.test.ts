// The V2 `extras` envelope of HTTP publishes: delivered last in V2 frames, in Rust Sockudo's field
// order; stripped from Pusher frames, which stay byte for byte what they were; checked on the way in.

import type { MetricLabels, MetricsV1 } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { RawClient } from '../helpers/clients.js';
import { signedRequest } from '../helpers/http.js';
import { APP, startServer } from '../helpers/server.js';

afterEach(cleanup);

async function refused(call: Promise<unknown>): Promise<{ status: number; error: string }> {
  try {
    await call;
  } catch (error) {
    const { status, body } = error as { status: number; body: string };
    return { status, error: JSON.parse(body).error };
  }
  throw new Error('expected the request to be refused');
}

/** Counters as the engine reports them. */
function countingMetrics(): MetricsV1 & { count(name: string): number } {
  const totals = new Map<string, number>();
  return {
    specVersion: 1,
    increment(name: string, _labels?: MetricLabels, value = 1) {
      totals.set(name, (totals.get(name) ?? 0) + value);
    },
    gauge() {},
    observe() {},
    count: (name) => totals.get(name) ?? 0,
  };
}

describe('extras on published events', () => {
  it('reach V2 sockets last in the frame and never Pusher sockets', async () => {
    const { port, backend } = await startServer();
    const v1 = await RawClient.established(port);
    const v2 = await RawClient.v2(port);
    await v1.subscribe('orders');
    await v2.subscribe('orders', undefined, 'sockudo');
    const extras = {
      ref: 'r-1',
      echo: false,
      headers: { region: 'eu', priority: 2, urgent: true },
      ephemeral: true,
    };
    await backend().trigger('orders', 'order.created', { id: 1 }, { extras } as never);
    const [a, b] = await Promise.all([v1.waitFor('order.created'), v2.waitFor('order.created')]);
    expect(a.raw).toBe('{"event":"order.created","channel":"orders","data":"{\\"id\\":1}"}');
    // Rust Sockudo's order: headers, ephemeral, idempotencyKey, echo, then other keys sorted.
    expect(b.raw).toBe(
      '{"event":"order.created","channel":"orders","data":"{\\"id\\":1}","extras":{"headers":{"region":"eu","priority":2,"urgent":true},"ephemeral":true,"echo":false,"ref":"r-1"}}',
    );
  });

  it('travel per event in a batch and to users, and are not kept by cache channels', async () => {
    const { port, backend } = await startServer();
    const sdk = backend();
    const v2 = await RawClient.v2(port);
    await v2.subscribe('cache-prices', undefined, 'sockudo');
    await sdk.triggerBatch([
      { channel: 'cache-prices', name: 'tick', data: { p: 1 }, extras: { headers: { venue: 'x' } } },
      { channel: 'cache-prices', name: 'tock', data: { p: 2 } },
    ] as never);
    expect(JSON.parse((await v2.waitFor('tick')).raw).extras).toEqual({ headers: { venue: 'x' } });
    expect(JSON.parse((await v2.waitFor('tock')).raw).extras).toBeUndefined();
    await sdk.trigger('cache-prices', 'tick', { p: 3 }, { extras: { idempotencyKey: 'k' } } as never);
    const late = await RawClient.v2(port);
    await late.subscribe('cache-prices', undefined, 'sockudo');
    const replayed = await late.waitFor('tick');
    // A replay is a message to one socket: Rust Sockudo stamps it with a message_id.
    const { message_id, ...rest } = JSON.parse(replayed.raw);
    expect(message_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rest).toEqual({ event: 'tick', channel: 'cache-prices', data: '{"p":3}' });

    const { auth, user_data } = sdk.authenticateUser(v2.socketId, { id: 'ada' });
    v2.send({ event: 'sockudo:signin', data: { auth, user_data } });
    await v2.waitFor('sockudo:signin_success');
    // The SDK's sendToUser takes no params, so the request is signed by hand.
    const sent = await signedRequest(port, {
      path: '/events',
      body: {
        name: 'notice',
        channel: '#server-to-user-ada',
        data: '{}',
        extras: { headers: { kind: 'dm' } },
      },
    });
    expect(sent.status).toBe(200);
    expect(JSON.parse((await v2.waitFor('notice')).raw).extras).toEqual({ headers: { kind: 'dm' } });
  });

  it('lose the flags of a disabled feature, and the envelope when nothing is left', async () => {
    const { port, backend } = await startServer({
      extensions: { ephemeral: { enabled: false }, echoControl: { enabled: false } },
    });
    const v2 = await RawClient.v2(port);
    await v2.subscribe('flags', undefined, 'sockudo');
    await backend().trigger('flags', 'a', {}, { extras: { ephemeral: true, echo: true, ref: 1 } } as never);
    await backend().trigger('flags', 'b', {}, { extras: { ephemeral: true, echo: false } } as never);
    expect(JSON.parse((await v2.waitFor('a')).raw).extras).toEqual({ ref: 1 });
    expect((await v2.waitFor('b')).raw).toBe('{"event":"b","channel":"flags","data":"{}"}');
  });

  it('are checked: flat headers, boolean flags, no push or ai', async () => {
    const { backend } = await startServer();
    const trigger = (extras: unknown) => refused(backend().trigger('c', 'e', {}, { extras } as never));
    expect(await trigger({ headers: { nested: { a: 1 } } })).toEqual({
      status: 400,
      error:
        "extras.headers must be a flat object — nested objects and arrays are not allowed (key: 'nested')",
    });
    expect((await trigger({ headers: { list: [1] } })).status).toBe(400);
    expect(await trigger({ ephemeral: 'yes' })).toEqual({
      status: 400,
      error: 'event.extras.ephemeral must be true or false',
    });
    expect((await trigger({ echo: 1 })).error).toBe('event.extras.echo must be true or false');
    expect((await trigger({ idempotencyKey: 5 })).error).toBe('event.extras.idempotencyKey must be a string');
    expect((await trigger({ push: { title: 'x' } })).error).toBe(
      'event.extras.push is not supported by this server',
    );
    expect((await trigger({ ai: {} })).error).toBe('event.extras.ai is not supported by this server');
    expect((await trigger('text')).error).toBe('event.extras must be an object');
    const batch = await refused(
      backend().triggerBatch([{ channel: 'c', name: 'e', data: {}, extras: [] }] as never),
    );
    expect(batch).toEqual({ status: 400, error: 'batch[0].extras must be an object' });
  });

  it('count ephemeral messages, one per channel', async () => {
    const metrics = countingMetrics();
    const { backend } = await startServer({ metrics, apps: [APP] });
    await backend().trigger(['a', 'b'], 'e', {}, { extras: { ephemeral: true } } as never);
    await backend().trigger('a', 'e', {}, { extras: { ephemeral: false } } as never);
    expect(metrics.count('ephemeral_messages_total')).toBe(2);
  });
});
