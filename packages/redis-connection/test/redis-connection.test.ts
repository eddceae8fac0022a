import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { closeRedisConnection, openRedisConnection, withDeadline } from '../src/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('openRedisConnection', () => {
  it('opens a connection that answers, and closes what it opened', async () => {
    const connection = openRedisConnection({ url: REDIS_URL }, 'test');
    expect(connection.owned).toBe(true);
    expect(await withDeadline(connection.client.ping(), 5000, 'PING')).toBe('PONG');
    await closeRedisConnection(connection);
    // Closed for good: no reconnection, commands are refused.
    await expect(connection.client.ping()).rejects.toThrow();
  });

  it('adopts a client without closing it', async () => {
    const client = new Redis(REDIS_URL);
    try {
      const connection = openRedisConnection({ client }, 'test');
      expect(connection.owned).toBe(false);
      await closeRedisConnection(connection);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('fails a command within its bound when Redis is unreachable, without crashing', async () => {
    const connection = openRedisConnection(
      { url: `redis://127.0.0.1:${await closedPort()}`, commandTimeoutMs: 200 },
      'test',
    );
    await expect(withDeadline(connection.client.ping(), 5000, 'PING')).rejects.toThrow();
    await closeRedisConnection(connection);
  });
});
