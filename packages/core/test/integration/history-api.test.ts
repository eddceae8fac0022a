// The history HTTP routes on one node (memory store): pages both ways following cursors, state, purge
// and reset, and each refusal with Rust Sockudo's status and code.

import { appFromRecord } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  resolveConnectionRecoverySettings,
  resolveHistorySettings,
} from '../../src/engine/history-settings.js';
import { channelNamespace, channelPolicy } from '../../src/history/channel-policy.js';
import { cleanup } from '../helpers/cleanup.js';
import { signedRequest } from '../helpers/http.js';
import { startServer } from '../helpers/server.js';

afterEach(cleanup);

const ON = { historySettings: { enabled: true, maxMessagesPerChannel: 5000 } };

async function json(port: number, path: string, params?: Record<string, string>, body?: unknown) {
  const result = await signedRequest(port, {
    path,
    ...(params && { params }),
    ...(body !== undefined && { body }),
  });
  return { status: result.status, body: result.json };
}

/** Every serial of `channel`, page by page in `direction`. */
async function walk(port: number, channel: string, direction: string, limit: number): Promise<number[]> {
  const serials: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const params: Record<string, string> = { direction, limit: String(limit), ...(cursor && { cursor }) };
    const { status, body } = await json(port, `/channels/${channel}/history`, params);
    expect(status).toBe(200);
    serials.push(...body.items.map((item: { serial: number }) => item.serial));
    if (!body.has_more) return serials;
    cursor = body.next_cursor;
  }
}

describe('GET /apps/:id/channels/:channel/history', () => {
  it('pages every message once, forwards and backwards, in Rust Sockudo’s shape', async () => {
    const { port, backend } = await startServer(ON);
    const batch = (from: number) =>
      Array.from({ length: 10 }, (_, i) => ({ channel: 'feed', name: 'tick', data: String(from + i) }));
    for (let n = 0; n < 250; n += 10) await backend().triggerBatch(batch(n));
    const all = Array.from({ length: 250 }, (_, i) => i + 1);
    expect(await walk(port, 'feed', 'oldest_first', 100)).toEqual(all);
    expect(await walk(port, 'feed', 'backwards', 7)).toEqual([...all].reverse());

    const { body } = await json(port, '/channels/feed/history', {
      limit: '1000',
      start_serial: '3',
      end_serial: '4',
    });
    expect(body.limit).toBe(100);
    expect(body.direction).toBe('newest_first');
    expect(body.bounds).toEqual({ start_serial: 3, end_serial: 4, start_time_ms: null, end_time_ms: null });
    expect(body.items.map((i: { serial: number }) => i.serial)).toEqual([4, 3]);
    const [item] = body.items;
    expect(item).toMatchObject({
      event_name: 'tick',
      operation_kind: 'append',
      message_id: expect.any(String),
    });
    expect(item.message).toEqual({
      event: 'tick',
      channel: 'feed',
      data: '3',
      message_id: item.message_id,
      stream_id: item.stream_id,
      serial: 4,
    });
    expect(body.continuity).toMatchObject({
      oldest_available_serial: 1,
      newest_available_serial: 250,
      retained_messages: 250,
      complete: true,
      truncated_by_retention: false,
    });
    expect(body.stream_state).toMatchObject({ durable_state: 'healthy', recovery_allowed: true });
  });

  it('answers state, purge and reset, and refuses bad requests with Rust Sockudo’s statuses', async () => {
    const { port, backend } = await startServer(ON);
    for (let n = 0; n < 5; n++) await backend().trigger('room', 'msg', String(n));
    const state = await json(port, '/channels/room/history/state');
    expect(state.body.channel).toBe('room');
    expect(state.body.stream).toMatchObject({ next_serial: 6, retained: { retained_messages: 5 } });

    const confirm = { confirm_channel: 'room', reason: 'test' };
    const purged = await json(port, '/channels/room/history/purge', undefined, {
      ...confirm,
      confirm_operation: 'purge',
      mode: 'before_serial',
      before_serial: 3,
    });
    expect(purged.status).toBe(200);
    expect(purged.body).toMatchObject({
      ok: true,
      mode: 'before_serial',
      before_serial: 3,
      purged_messages: 2,
    });
    const truncated = await json(port, '/channels/room/history');
    expect(truncated.body.continuity).toMatchObject({ truncated_by_retention: true, complete: false });

    const reset = await json(port, '/channels/room/history/reset', undefined, {
      ...confirm,
      confirm_operation: 'reset',
    });
    expect(reset.body).toMatchObject({ ok: true, operation: 'reset', purged_messages: 3 });
    expect(reset.body.new_stream_id).not.toBe(reset.body.previous_stream_id);

    const cursorOf = (await json(port, '/channels/room/history', { limit: '1' })).body.next_cursor;
    expect(cursorOf).toBeNull();
    expect(await json(port, '/channels/room/history', { direction: 'sideways' })).toMatchObject({
      status: 400,
      body: { code: 'invalid_input', status: 400 },
    });
    expect((await json(port, '/channels/room/history', { limit: '0' })).status).toBe(400);
    expect((await json(port, '/channels/room/history', { cursor: 'not-a-cursor' })).status).toBe(400);
    expect(
      (
        await json(port, '/channels/room/history/reset', undefined, {
          ...confirm,
          confirm_operation: 'purge',
        })
      ).body,
    ).toMatchObject({ status: 400, error: "confirm_operation must be 'reset'" });
    expect((await json(port, '/channels/room/history/reset', undefined, { reason: 'x' })).status).toBe(422);

    const off = await startServer();
    expect(await json(off.port, '/channels/room/history')).toMatchObject({
      status: 422,
      body: { code: 'feature_disabled', error: "Durable history is disabled by policy for channel 'room'" },
    });
  });

  it('refuses a cursor of another request, and one whose stream was reset', async () => {
    const { port, backend } = await startServer(ON);
    for (let n = 0; n < 4; n++) await backend().trigger('a', 'msg', String(n));
    const { body } = await json(port, '/channels/a/history', { limit: '2' });
    expect(
      (
        await json(port, '/channels/a/history', {
          limit: '2',
          cursor: body.next_cursor,
          direction: 'oldest_first',
        })
      ).status,
    ).toBe(400);
    await json(port, '/channels/a/history/reset', undefined, {
      confirm_channel: 'a',
      confirm_operation: 'reset',
      reason: 'r',
    });
    const expired = await json(port, '/channels/a/history', { limit: '2', cursor: body.next_cursor });
    expect(expired).toMatchObject({ status: 400, body: { code: 'invalid_input' } });
    expect(expired.body.error).toMatch(/^Expired history cursor/);
  });
});

describe('per-app and per-namespace history policy', () => {
  it('resolves a namespace’s retention over the app’s and the server’s', () => {
    const app = appFromRecord({
      id: 'a',
      key: 'k',
      secret: 's',
      policy: {
        history: { enabled: true, retention_window_seconds: 60 },
        channels: { channel_namespaces: [{ name: 'chat', history: { max_messages_per_channel: 2 } }] },
      },
    });
    const ctx = {
      historySettings: resolveHistorySettings(),
      recoverySettings: resolveConnectionRecoverySettings(),
    };
    expect(channelNamespace('private-chat:room')).toBe('chat');
    expect(channelNamespace('presence-cache-chat:x')).toBe('chat');
    expect(channelNamespace('room')).toBeUndefined();
    const spaced = channelPolicy(ctx as never, app, 'private-chat:room');
    expect(spaced.retention).toEqual({
      retentionWindowSeconds: 60,
      maxMessagesPerChannel: 2,
      maxBytesPerChannel: undefined,
    });
    expect(channelPolicy(ctx as never, app, 'room').retention.maxMessagesPerChannel).toBeUndefined();
    expect(channelPolicy(ctx as never, { ...app, history: undefined }, 'room').history).toBe(false);
  });

  it('turns history on for one app only', async () => {
    const keeper = {
      id: 'keeper',
      key: 'keeper-key',
      secret: 'keeper-secret',
      policy: { history: { enabled: true, max_messages_per_channel: 2 } },
    };
    const plain = { id: 'plain', key: 'plain-key', secret: 'plain-secret' };
    const { port, server, backend } = await startServer({ apps: [keeper, plain] });
    for (let n = 0; n < 5; n++) {
      await backend(keeper).trigger('other', 'msg', String(n));
      await backend(plain).trigger('other', 'msg', String(n));
    }
    const { history } = server.context;
    expect((await history.state('keeper', 'other')).retainedMessages).toBe(2);
    expect((await history.state('plain', 'other')).streamId).toBeUndefined();
    const refused = await signedRequest(port, { path: '/channels/other/history', app: plain });
    expect(refused.status).toBe(422);
  });
});
