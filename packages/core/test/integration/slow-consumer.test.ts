// Slow consumers: a client that stops reading lets TCP backpressure build, so its socket's send buffer
// (ws.bufferedAmount) grows with every event. Past `maxSocketBufferBytes` the server drops it with 4100
// instead of buffering without bound, while the clients that keep reading get every event.
//
// The slow client is a `ws` client whose net.Socket is paused: the kernel buffers on both ends fill
// (several MB on loopback), then the server's own buffer grows. The 4100 `pusher:error` and close frame
// are queued behind the data the server had already buffered, so the client sees them once it resumes
// reading — a real close code, not a terminate.

import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { RawClient } from '../helpers/clients.js';
import { startServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

afterEach(cleanup);

const CHANNEL = 'firehose';
const EVENTS = 3_000;
const PAYLOAD = 'x'.repeat(6 * 1024); // 6 KB per event, 18 MB in all: far beyond loopback's TCP buffers
const CONCURRENCY = 16;
const MB = 1024 * 1024;

describe('a slow consumer', () => {
  it('is closed with 4100 while the other subscribers receive every event, and memory stays bounded', async () => {
    const { port, backend } = await startServer({ maxSocketBufferBytes: 64 * 1024 });
    const pusher = backend();

    const normal = [await RawClient.established(port), await RawClient.established(port)];
    for (const client of normal) await client.subscribe(CHANNEL);
    const slow = await RawClient.established(port);
    await slow.subscribe(CHANNEL);
    // Stop reading: nothing is consumed from the TCP socket until resume().
    const slowSocket = (slow.ws as unknown as { _socket: Socket })._socket;
    slowSocket.pause();

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let next = 0;
    async function worker(): Promise<void> {
      while (next < EVENTS) {
        const n = next++;
        const response = await pusher.trigger(CHANNEL, 'tick', { n, payload: PAYLOAD });
        expect(response.status).toBe(200);
        if (n % 100 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Every normal client gets every event, the last one included.
    const ticks = () => normal.map((client) => client.all('tick').length);
    await waitUntil(
      () => ticks().every((count) => count >= EVENTS),
      `every normal client to receive ${EVENTS} events (have ${ticks().join(', ')})`,
      30_000,
    );
    for (const client of normal) {
      const ticks = client.all('tick');
      expect(ticks).toHaveLength(EVENTS);
      expect(new Set(ticks.map((f) => f.payload.n)).size).toBe(EVENTS);
      expect(ticks.some((f) => f.payload.n === EVENTS - 1)).toBe(true);
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    // Now read again: what was buffered before the bound tripped, then the 4100 error and close frame.
    slowSocket.resume();
    const closed = await slow.waitForClose(15_000);
    expect(closed.code).toBe(4100);
    expect(closed.reason).toMatch(/too slow/i);
    const error = slow.all('pusher:error').at(-1);
    expect(error?.payload).toMatchObject({ code: 4100 });
    // It was dropped part-way, not fed the whole stream.
    expect(slow.all('tick').length).toBeLessThan(EVENTS);

    // The test process hosts the server and every client; 18 MB went to each of three sockets. Only an
    // unbounded buffer could approach this.
    expect(peakRss - rssBefore).toBeLessThan(200 * MB);
  }, 60_000);
});
