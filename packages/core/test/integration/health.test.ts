import { afterEach, describe, expect, it } from 'vitest';
import {
  type CacheV1,
  createMemoryBus,
  createMemoryCache,
  createMemoryTransport,
  createServer,
  type SockudoServer,
} from '../../src/index.js';

const apps = [{ id: 'app-id', key: 'app-key', secret: 'app-secret' }];
const servers: SockudoServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ gracePeriodMs: 100 })));
});

async function up(port: number, path = '/up') {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return {
    status: response.status,
    text: await response.text(),
    check: response.headers.get('x-health-check'),
  };
}

describe('/up reports dependencies', () => {
  it('is DEGRADED (200) while the cluster transport is down, naming it, and OK again after', async () => {
    const bus = createMemoryBus();
    const server = createServer({ host: '127.0.0.1', port: 0, apps, transport: createMemoryTransport(bus) });
    servers.push(server);
    const { port } = await server.listen();
    expect(await up(port)).toEqual({ status: 200, text: 'OK', check: null });
    bus.available = false;
    expect(await up(port)).toEqual({ status: 200, text: 'DEGRADED', check: 'adapter' });
    expect(await up(port, '/up/app-id')).toMatchObject({ status: 200, text: 'DEGRADED' });
    bus.available = true;
    expect(await up(port)).toEqual({ status: 200, text: 'OK', check: null });
  });

  it('counts a health check that does not answer in time as failing', async () => {
    const hanging: CacheV1 = { ...createMemoryCache(), checkHealth: () => new Promise(() => {}) };
    const server = createServer({
      host: '127.0.0.1',
      port: 0,
      apps,
      cache: hanging,
      healthCheckTimeoutMs: 100,
    });
    servers.push(server);
    const { port } = await server.listen();
    expect(await up(port)).toEqual({ status: 200, text: 'DEGRADED', check: 'cache' });
  });

  it('answers 404 for an unknown app and OK for a known one', async () => {
    const server = createServer({ host: '127.0.0.1', port: 0, apps });
    servers.push(server);
    const { port } = await server.listen();
    expect((await up(port, '/up/app-id')).text).toBe('OK');
    expect(await up(port, '/up/nope')).toMatchObject({ status: 404, text: 'NOT_FOUND' });
  });
});
