// Echo control and event-name filtering on V2 sockets, as Rust Sockudo defines them, next to Pusher
// sockets that keep Pusher's behaviour (never echoed, subscribe data's `filter` ignored).

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { RawClient } from '../helpers/clients.js';
import { APP, startServer } from '../helpers/server.js';

afterEach(cleanup);

const app = { ...APP, enable_client_messages: true };
type Backend = ReturnType<Awaited<ReturnType<typeof startServer>>['backend']>;

/** Subscribes a V2 or Pusher socket to a private channel, with extra subscribe data. */
async function joinPrivate(
  client: RawClient & { socketId: string },
  backend: Backend,
  channel: string,
  v2: boolean,
  extra = {},
) {
  const ack = await client.subscribe(
    channel,
    { ...backend.authorizeChannel(client.socketId, channel), ...extra },
    v2 ? 'sockudo' : 'pusher',
  );
  expect(ack.event).toMatch(/_internal:subscription_succeeded$/);
}

/** Publishes a marker through `backend` and waits until every client has it. */
async function barrier(backend: Backend, channel: string, clients: RawClient[]) {
  const marks = clients.map((c) => c.mark());
  await backend.trigger(channel, 'barrier', {});
  await Promise.all(clients.map((c, i) => c.waitFor('barrier', { channel, from: marks[i] })));
}

describe('echo control', () => {
  it('echoes a V2 socket’s client events unless it connected with echo_messages=false; Pusher sockets never', async () => {
    const { port, backend } = await startServer({ apps: [app] });
    const sdk = backend();
    const echoed = await RawClient.v2(port);
    const quiet = await RawClient.v2(port, 'echo_messages=false');
    const pusher = await RawClient.established(port);
    for (const [client, v2] of [
      [echoed, true],
      [quiet, true],
      [pusher, false],
    ] as const) {
      await joinPrivate(client, sdk, 'private-chat', v2);
    }
    echoed.send({ event: 'client-typing', channel: 'private-chat', data: { from: 'echoed' } });
    quiet.send({ event: 'client-typing', channel: 'private-chat', data: { from: 'quiet' } });
    pusher.send({ event: 'client-typing', channel: 'private-chat', data: { from: 'pusher' } });
    await barrier(sdk, 'private-chat', [echoed, quiet, pusher]);
    const from = (client: RawClient) =>
      client
        .all('client-typing')
        .map((f) => f.payload.from)
        .sort();
    expect(from(echoed)).toEqual(['echoed', 'pusher', 'quiet']);
    expect(from(quiet)).toEqual(['echoed', 'pusher']);
    expect(from(pusher)).toEqual(['echoed', 'quiet']);
    // The HTTP API's socket_id still excludes the socket, whatever its echo setting.
    await sdk.trigger('private-chat', 'api', {}, { socket_id: echoed.socketId });
    await barrier(sdk, 'private-chat', [echoed, quiet]);
    expect(echoed.all('api')).toEqual([]);
    expect(quiet.all('api')).toHaveLength(1);
  });

  it('follows echo_control: default_echo_messages, and every V2 socket echoed when disabled', async () => {
    const off = await startServer({
      apps: [app],
      extensions: { echoControl: { defaultEchoMessages: false } },
    });
    const disabled = await startServer({ apps: [app], extensions: { echoControl: { enabled: false } } });
    for (const [server, query, expected] of [
      [off, '', 0],
      [off, 'echo_messages=true', 1],
      [disabled, 'echo_messages=false', 1],
    ] as const) {
      const client = await RawClient.v2(server.port, query);
      await joinPrivate(client, server.backend(), 'private-echo', true);
      client.send({ event: 'client-x', channel: 'private-echo', data: {} });
      await barrier(server.backend(), 'private-echo', [client]);
      expect(
        client.all('client-x'),
        `${query} with ${JSON.stringify(server === off ? 'off' : 'disabled')}`,
      ).toHaveLength(expected);
    }
  });
});

describe('event-name filtering', () => {
  it('lets only the listed application events reach a filtered V2 subscription', async () => {
    const { port, backend } = await startServer();
    const sdk = backend();
    const filtered = await RawClient.v2(port);
    const pusher = await RawClient.established(port);
    await filtered.subscribe(
      'orders',
      { filter: { events: ['order.created', 'order.paid', 'barrier'] } },
      'sockudo',
    );
    // A Pusher socket's subscribe data is Pusher's: `filter` means nothing there.
    await pusher.subscribe('orders', { filter: { events: ['order.created'] } });
    for (const name of ['order.created', 'order.updated', 'order.paid'])
      await sdk.trigger('orders', name, {});
    await sdk.triggerBatch([
      { channel: 'orders', name: 'order.updated', data: {} },
      { channel: 'orders', name: 'order.paid', data: {} },
    ]);
    await barrier(sdk, 'orders', [filtered, pusher]);
    const names = (client: RawClient) => client.all((f) => f.event.startsWith('order.')).map((f) => f.event);
    expect(names(filtered)).toEqual(['order.created', 'order.paid', 'order.paid']);
    expect(names(pusher)).toEqual([
      'order.created',
      'order.updated',
      'order.paid',
      'order.updated',
      'order.paid',
    ]);

    // Unsubscribing lifts the filter; a new subscribe without one gets everything.
    filtered.send({ event: 'sockudo:unsubscribe', data: { channel: 'orders' } });
    await filtered.subscribe('orders', undefined, 'sockudo');
    const from = filtered.mark();
    await sdk.trigger('orders', 'order.updated', {});
    await filtered.waitFor('order.updated', { from });
  });

  it('never filters protocol events: a filtered presence subscription still sees members come and go', async () => {
    const { port, backend } = await startServer();
    const sdk = backend();
    const auth = (client: { socketId: string }, user: string) =>
      sdk.authorizeChannel(client.socketId, 'presence-team', { user_id: user });
    const watcher = await RawClient.v2(port);
    await watcher.subscribe(
      'presence-team',
      { ...auth(watcher, 'w'), filter: { events: ['standup'] } },
      'sockudo',
    );
    const other = await RawClient.established(port);
    await other.subscribe('presence-team', auth(other, 'o'));
    await watcher.waitFor('sockudo_internal:member_added');
  });

  it('refuses an over-long filter with Rust Sockudo’s sockudo:error 4000, and does not subscribe', async () => {
    const { port, backend } = await startServer({
      extensions: { eventNameFiltering: { maxEventsPerFilter: 2, maxEventNameLength: 10 } },
    });
    const client = await RawClient.v2(port);
    const refusal = async (filter: unknown) => {
      const from = client.mark();
      client.send({ event: 'sockudo:subscribe', data: { channel: 'limits', filter } });
      return (await client.waitFor('sockudo:error', { from })).data;
    };
    expect(await refusal({ events: ['a', 'b', 'c'] })).toEqual({
      code: 4000,
      message: 'Invalid message format: filter.events exceeds maximum of 2 event names',
    });
    expect(await refusal({ events: ['a-very-long-event-name'] })).toEqual({
      code: 4000,
      message:
        "Invalid message format: Event name 'a-very-long-event-name...' exceeds maximum length of 10 characters",
    });
    expect((await refusal({ events: 'a' })) as object).toEqual({
      code: 4000,
      message: 'Invalid message format: filter.events must be an array of non-empty strings',
    });
    expect(((await refusal({ events: ['a', ''] })) as { message: string }).message).toBe(
      'Invalid message format: filter.events must contain only non-empty strings',
    );
    await backend().trigger('limits', 'a', {});
    await client.subscribe('other', undefined, 'sockudo');
    expect(client.all((f) => f.channel === 'limits')).toEqual([]);
  });

  it('ignores filter.events while event_name_filtering is disabled (a malformed one is still refused)', async () => {
    const { port, backend } = await startServer({ extensions: { eventNameFiltering: { enabled: false } } });
    const client = await RawClient.v2(port);
    await client.subscribe('open', { filter: { events: ['only-this'] } }, 'sockudo');
    await backend().trigger('open', 'something-else', {});
    await client.waitFor('something-else');
    client.send({ event: 'sockudo:subscribe', data: { channel: 'bad', filter: { events: [1] } } });
    expect(((await client.waitFor('sockudo:error')).data as { code: number }).code).toBe(4000);
  });

  it('reads events from the tags_filter alias; a bare tag filter or an empty list filters nothing', async () => {
    const { port, backend } = await startServer();
    const sdk = backend();
    const alias = await RawClient.v2(port);
    const bare = await RawClient.v2(port);
    const empty = await RawClient.v2(port);
    await alias.subscribe('t', { tags_filter: { events: ['kept'] } }, 'sockudo');
    await bare.subscribe('t', { filter: { key: 'region', cmp: 'eq', val: 'eu' } }, 'sockudo');
    await empty.subscribe('t', { filter: { events: [], tags: { key: 'k', cmp: 'ex' } } }, 'sockudo');
    await sdk.trigger('t', 'dropped', {});
    await barrier(sdk, 't', [bare, empty]);
    await sdk.trigger('t', 'kept', {});
    await alias.waitFor('kept');
    expect(alias.all('dropped')).toEqual([]);
    expect(bare.all('dropped')).toHaveLength(1);
    expect(empty.all('dropped')).toHaveLength(1);
  });
});
