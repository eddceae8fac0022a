// What the engine reports through MetricsV1, seen with a recording driver: one report per fan-out
// whatever the number of recipients, shared label objects on hot paths, O(1) gauges.

import { LocalAdapter, type MetricLabels, type MetricsV1, type SocketHandle } from '@sockudo/core';
import { describe, expect, it } from 'vitest';

interface Call {
  kind: 'increment' | 'gauge' | 'observe';
  name: string;
  labels: MetricLabels | undefined;
  value: number | undefined;
}

function recordingMetrics(): MetricsV1 & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    specVersion: 1,
    calls,
    increment: (name, labels, value) => calls.push({ kind: 'increment', name, labels, value }),
    gauge: (name, labels, value) => calls.push({ kind: 'gauge', name, labels, value }),
    observe: (name, labels, value) => calls.push({ kind: 'observe', name, labels, value }),
  };
}

function fakeSocket(id: string, appId = 'app-1'): SocketHandle & { received: number } {
  return {
    id,
    appId,
    userId: undefined,
    received: 0,
    send() {
      this.received++;
    },
    close() {},
  };
}

async function fanOutCalls(recipients: number): Promise<Call[]> {
  const metrics = recordingMetrics();
  const adapter = new LocalAdapter({ metrics });
  for (let i = 0; i < recipients; i++) {
    const socket = fakeSocket(`1.${i}`);
    adapter.addSocket(socket);
    await adapter.join(socket, 'news');
  }
  metrics.calls.length = 0;
  await adapter.broadcast('app-1', 'news', '{"event":"e","channel":"news","data":"{}"}');
  return metrics.calls;
}

describe('engine reporting', () => {
  it('reports a fan-out with the same few calls for 1 or 500 recipients, counts scaled by recipients', async () => {
    const one = await fanOutCalls(1);
    const many = await fanOutCalls(500);
    expect(many.map((c) => c.name)).toEqual(one.map((c) => c.name));
    expect(many.map((c) => c.name)).toEqual([
      'broadcasts_total',
      'deliveries_total',
      'ws_messages_sent_total',
      'socket_transmitted_bytes',
    ]);
    const bytes = Buffer.byteLength('{"event":"e","channel":"news","data":"{}"}');
    expect(many.find((c) => c.name === 'deliveries_total')?.value).toBe(500);
    expect(many.find((c) => c.name === 'socket_transmitted_bytes')?.value).toBe(500 * bytes);
  });

  it('passes one shared frozen label object per app on hot paths', async () => {
    const calls = await fanOutCalls(3);
    const first = calls[0]!.labels!;
    expect(Object.isFrozen(first)).toBe(true);
    expect(first).toEqual({ appId: 'app-1' });
    for (const call of calls) expect(call.labels).toBe(first);
    const again = await fanOutCalls(2);
    expect(again[0]!.labels).toBe(first);
  });

  it('keeps connected, active_channels and presence_members as counts, not scans', async () => {
    const metrics = recordingMetrics();
    const adapter = new LocalAdapter({ metrics });
    const last = (name: string) => metrics.calls.filter((c) => c.name === name).at(-1)?.value;
    const a = fakeSocket('1.1');
    const b = fakeSocket('1.2');
    adapter.addSocket(a);
    adapter.addSocket(b);
    expect(last('connected')).toBe(2);
    await adapter.join(a, 'presence-room', { userId: 'u1', userInfo: {} });
    await adapter.join(b, 'presence-room', { userId: 'u1', userInfo: {} }); // same user, second tab
    expect(last('presence_members')).toBe(1);
    expect(last('active_channels')).toBe(1);
    await adapter.leave(a, 'presence-room', 'u1');
    expect(last('presence_members')).toBe(1);
    await adapter.leave(b, 'presence-room', 'u1');
    expect(last('presence_members')).toBe(0);
    expect(last('active_channels')).toBe(0);
    adapter.removeSocket(a);
    adapter.removeSocket(b);
    expect(last('connected')).toBe(0);
  });

  it('reports nothing per recipient when a channel has no other subscriber', async () => {
    const metrics = recordingMetrics();
    const adapter = new LocalAdapter({ metrics });
    const only = fakeSocket('1.1');
    adapter.addSocket(only);
    await adapter.join(only, 'news');
    metrics.calls.length = 0;
    await adapter.broadcast('app-1', 'news', '{}', only.id);
    expect(metrics.calls.map((c) => c.name)).toEqual(['broadcasts_total']);
    expect(only.received).toBe(0);
  });
});
