// Channel history and connection recovery across three `sockudo start` nodes over the redis adapter
// with the redis history backend: a client speaking @sockudo/client's frames resumes on another node
// and gets exactly what it missed, then live events; a node killed with SIGKILL loses nothing; past
// the window it is told so; history pages both ways; a Pusher socket sees the Pusher frame unchanged.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { redisBroker } from './brokers.js';
import { FrameLog, type RawFrame } from './frame-log.js';
import { nodeConfig, type SockudoNode, startCluster, startNode, testApp } from './nodes.js';
import { Scope } from './scope.js';
import { is, Tabs } from './tabs.js';
import { uid, WAIT_MS } from './waits.js';

interface Frame extends RawFrame {
  serial?: number;
  stream_id?: string;
  message_id?: string;
}

/** A raw WebSocket in @sockudo/client's wire format (`?protocol=2`, or Pusher's with `v1`). */
class Client {
  private readonly log: FrameLog<Frame>;

  private constructor(readonly ws: WebSocket) {
    this.log = new FrameLog(ws);
    ws.on('error', () => {});
  }

  /** Every frame received, in order. */
  get frames(): readonly Frame[] {
    return this.log.frames;
  }

  static async open(node: SockudoNode, v1 = false): Promise<Client> {
    const query = v1 ? 'protocol=7&client=js&version=8.4.0' : 'protocol=2&format=json';
    const client = new Client(new WebSocket(`ws://127.0.0.1:${node.port}/app/${node.app.key}?${query}`));
    const prefix = v1 ? 'pusher' : 'sockudo';
    await client.waitFor((f) => f.event === `${prefix}:connection_established`, 'connection_established');
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  async subscribe(channel: string): Promise<void> {
    this.send({ event: 'sockudo:subscribe', data: { channel } });
    await this.waitFor(
      (f) => f.event === 'sockudo_internal:subscription_succeeded' && f.channel === channel,
      `the subscription to ${channel}`,
    );
  }

  /** What @sockudo/client sends on reconnect: its subscriptions, then its positions. */
  reconnect(channel: string, last: Frame): void {
    this.send({ event: 'sockudo:subscribe', data: { channel } });
    this.send({
      event: 'sockudo:resume',
      data: JSON.stringify({
        channel_positions: {
          [channel]: { stream_id: last.stream_id, serial: last.serial, last_message_id: last.message_id },
        },
      }),
    });
  }

  events(name: string): Frame[] {
    return this.frames.filter((f) => f.event === name);
  }

  waitFor(test: (frame: Frame) => boolean, what: string, ms = WAIT_MS): Promise<Frame> {
    return this.log.waitFor(test, what, ms);
  }

  close(): void {
    this.ws.terminate();
  }
}

const payloadOf = (frame: Frame) => JSON.parse(frame.data as string) as { n: number };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function triggerMany(node: SockudoNode, channel: string, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n += 10) {
    const batch = range(n, Math.min(n + 9, to)).map((i) => ({
      channel,
      name: 'msg',
      data: JSON.stringify({ n: i }),
    }));
    await node.backend.triggerBatch(batch);
  }
}

describe('history and connection recovery over three nodes (redis adapter, redis history)', () => {
  const broker = redisBroker();
  const scope = new Scope();
  const clients: Client[] = [];
  const tabs = new Tabs();
  const app = testApp();
  let nodes: SockudoNode[];
  let config: Record<string, unknown>;

  beforeAll(async () => {
    await broker.require();
    config = nodeConfig(broker.adapter(`sockudo_test_${uid()}`), [app], {
      history: {
        enabled: true,
        backend: 'redis',
        max_page_size: 100,
        redis: { prefix: `sockudo_test_history_${uid()}:` },
      },
      connection_recovery: { enabled: true, max_buffer_size: 150 },
    });
    nodes = await startCluster(scope, 3, config.adapter as Record<string, unknown>, app, {
      history: config.history,
      connection_recovery: config.connection_recovery,
    });
  }, 60_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    tabs.closeAll();
  });
  afterAll(() => scope.close(), 30_000);

  const open = async (node: SockudoNode, v1 = false) => {
    const client = await Client.open(node, v1);
    clients.push(client);
    return client;
  };

  it('resumes on node C exactly the 100 events triggered on node B after a drop on node A, then live ones', async () => {
    const [a, b, c] = nodes as [SockudoNode, SockudoNode, SockudoNode];
    const channel = `chat-${uid()}`;
    const first = await open(a);
    await first.subscribe(channel);
    const pusherJs = await tabs.add('pusher-js', c);
    await pusherJs.subscribe(channel);
    await b.backend.trigger(channel, 'msg', JSON.stringify({ n: 0 }));
    const last = await first.waitFor((f) => f.event === 'msg', 'the first event');
    expect(Object.keys(JSON.parse(last.raw))).toEqual([
      'event',
      'channel',
      'data',
      'message_id',
      'stream_id',
      'serial',
    ]);
    first.close();

    await triggerMany(b, channel, 1, 100);
    const again = await open(c);
    again.reconnect(channel, last);
    const success = await again.waitFor((f) => f.event === 'sockudo:resume_success', 'resume_success');
    expect(JSON.parse(success.data as string)).toEqual({
      recovered: [
        {
          channel,
          source: 'cold',
          replayed: 100,
          position: { stream_id: last.stream_id, serial: 101, last_message_id: expect.any(String) },
        },
      ],
      failed: [],
    });
    await triggerMany(b, channel, 101, 110);
    await again.waitFor((f) => f.event === 'msg' && payloadOf(f).n === 110, 'the last live event');
    const received = again.events('msg');
    expect(received.map((f) => payloadOf(f).n)).toEqual(range(1, 110));
    expect(received.map((f) => f.serial)).toEqual(range(2, 111));
    expect(new Set(received.map((f) => f.stream_id))).toEqual(new Set([last.stream_id]));
    // The 100 replayed come before resume_success, the live ones after it.
    expect(again.frames.indexOf(success)).toBe(again.frames.indexOf(received[99]!) + 1);
    // A pusher-js client on node C saw every event as Pusher sends it, and nothing of the V2 fields.
    await pusherJs.waitFor(
      is('msg', channel, (data) => data.n === 110),
      'the last event on pusher-js',
    );
    expect(pusherJs.all(is('msg', channel)).map((m) => m.data.n)).toEqual(range(0, 110));
    expect(JSON.stringify(pusherJs.messages)).not.toMatch(/serial|stream_id|message_id/);
  }, 60_000);

  it('loses nothing when the client’s node is killed with SIGKILL', async () => {
    const [b, c] = [nodes[1]!, nodes[2]!];
    const doomed = await startNode(
      scope,
      'doomed',
      nodeConfig(config.adapter as Record<string, unknown>, [app], {
        history: config.history,
        connection_recovery: config.connection_recovery,
      }),
      app,
    );
    const channel = `orders-${uid()}`;
    const client = await open(doomed);
    await client.subscribe(channel);
    await triggerMany(b, channel, 1, 10);
    const last = await client.waitFor((f) => f.event === 'msg' && payloadOf(f).n === 10, 'the tenth event');
    doomed.process.child.kill('SIGKILL');
    await doomed.process.exited;
    await triggerMany(b, channel, 11, 60);
    const again = await open(c);
    again.reconnect(channel, last);
    await again.waitFor((f) => f.event === 'sockudo:resume_success', 'resume_success');
    expect(again.events('msg').map((f) => payloadOf(f).n)).toEqual(range(11, 60));
  }, 60_000);

  it('answers resume_failed past the window, and the client subscribes afresh', async () => {
    const [a, b, c] = nodes as [SockudoNode, SockudoNode, SockudoNode];
    const channel = `news-${uid()}`;
    const first = await open(a);
    await first.subscribe(channel);
    await b.backend.trigger(channel, 'msg', JSON.stringify({ n: 0 }));
    const last = await first.waitFor((f) => f.event === 'msg', 'the first event');
    first.close();
    await triggerMany(b, channel, 1, 151); // one more than connection_recovery.max_buffer_size
    const again = await open(c);
    again.reconnect(channel, last);
    const failed = await again.waitFor((f) => f.event === 'sockudo:resume_failed', 'resume_failed');
    expect(failed.channel).toBe(channel);
    expect(JSON.parse(failed.data as string)).toEqual({
      code: 'position_expired',
      reason: 'recovery_window_exceeded',
      expected_stream_id: last.stream_id,
      current_stream_id: last.stream_id,
      oldest_available_serial: 1,
      newest_available_serial: 152,
    });
    const success = await again.waitFor((f) => f.event === 'sockudo:resume_success', 'resume_success');
    expect(JSON.parse(success.data as string).failed).toHaveLength(1);
    expect(again.events('msg')).toEqual([]);
    // Still subscribed (the client re-subscribes on resume_failed): live events flow.
    await b.backend.trigger(channel, 'msg', JSON.stringify({ n: 152 }));
    await again.waitFor((f) => f.event === 'msg', 'a live event after the failure');
  }, 60_000);

  it('pages 10,000 events forwards and backwards through the HTTP API, and Pusher sockets see no change', async () => {
    const [a, b] = [nodes[0]!, nodes[1]!];
    const channel = `feed-${uid()}`;
    const pusher = await open(a, true);
    pusher.send({ event: 'pusher:subscribe', data: { channel } });
    await pusher.waitFor(
      (f) => f.event === 'pusher_internal:subscription_succeeded',
      'the Pusher subscription',
    );
    await triggerMany(b, channel, 1, 10_000);
    await pusher.waitFor((f) => f.event === 'msg' && payloadOf(f).n === 10_000, 'the last event', 30_000);
    const raws = pusher.events('msg').map((f) => f.raw);
    expect(raws).toHaveLength(10_000);
    expect(raws[0]).toBe(`{"event":"msg","channel":"${channel}","data":"{\\"n\\":1}"}`);
    expect(
      raws.every((raw, i) => raw === `{"event":"msg","channel":"${channel}","data":"{\\"n\\":${i + 1}}"}`),
    ).toBe(true);

    for (const [direction, expected] of [
      ['oldest_first', range(1, 10_000)],
      ['newest_first', range(1, 10_000).reverse()],
    ] as const) {
      const serials: number[] = [];
      let cursor: string | undefined;
      for (;;) {
        const response = await a.backend.get({
          path: `/channels/${channel}/history`,
          params: { direction, limit: '500', ...(cursor && { cursor }) },
        });
        const body = (await response.json()) as {
          items: Array<{ serial: number; message: { data: string } }>;
          has_more: boolean;
          next_cursor: string | null;
          limit: number;
        };
        expect(body.limit).toBe(100);
        for (const item of body.items) {
          expect(JSON.parse(item.message.data).n).toBe(item.serial);
          serials.push(item.serial);
        }
        if (!body.has_more) break;
        cursor = body.next_cursor!;
      }
      expect(serials).toEqual(expected);
    }
  }, 120_000);
});
