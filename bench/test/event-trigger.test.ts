import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { answerProblem, EventTrigger } from '../src/event-trigger.js';

describe('answerProblem', () => {
  it('accepts 2xx answers without an error object', () => {
    expect(answerProblem(200, '{}')).toBeUndefined();
    expect(answerProblem(200, '{"ok":true}')).toBeUndefined();
    expect(answerProblem(202, '')).toBeUndefined();
  });

  it('rejects other statuses and 2xx answers that carry an error (as soketi sends them)', () => {
    expect(answerProblem(401, 'Unauthorized')).toMatch(/answered 401: Unauthorized/);
    expect(answerProblem(200, '{"error":"The secret authentication failed","code":401}')).toMatch(
      /answered 200 with an error: .*secret authentication failed/,
    );
  });
});

// A server that drops a kept-alive connection when its second request arrives, without answering: what a
// client sees when the server's keep-alive timeout closes the socket just as a request goes out.
async function droppingServer(dropEvery: (requestOnSocket: number) => boolean) {
  const seen: { url: string; requestOnSocket: number }[] = [];
  const perSocket = new WeakMap<object, number>();
  const server = createServer((request, response) => {
    const requestOnSocket = (perSocket.get(request.socket) ?? 0) + 1;
    perSocket.set(request.socket, requestOnSocket);
    seen.push({ url: request.url ?? '', requestOnSocket });
    request.resume();
    request.on('end', () => {
      if (dropEvery(requestOnSocket)) request.socket.destroy();
      else response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const trigger = new EventTrigger({
    host: '127.0.0.1',
    httpPort: port,
    appId: 'app-id',
    key: 'app-key',
    secret: 'app-secret',
    maxSockets: 1,
  });
  return {
    seen,
    trigger,
    close: () => {
      trigger.close();
      server.close();
    },
  };
}

describe('EventTrigger', () => {
  it('sends a request again on a fresh socket when a kept-alive one was reset under it', async () => {
    const { seen, trigger, close } = await droppingServer((requestOnSocket) => requestOnSocket === 2);
    try {
      await trigger.trigger('c', 'first');
      await trigger.triggerBatch([
        { channel: 'c', data: 'second' },
        { channel: 'd', data: 'third' },
      ]);
      expect(seen.map((request) => [request.url.split('?')[0], request.requestOnSocket])).toEqual([
        ['/apps/app-id/events', 1],
        ['/apps/app-id/batch_events', 2],
        ['/apps/app-id/batch_events', 1],
      ]);
    } finally {
      close();
    }
  });

  it('fails when the fresh socket is dropped too', async () => {
    const { seen, trigger, close } = await droppingServer(() => true);
    try {
      await expect(trigger.trigger('c', 'data')).rejects.toThrow(/failed: socket hang up/);
      expect(seen).toHaveLength(1);
    } finally {
      close();
    }
  });
});
