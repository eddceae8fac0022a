// deploy/compose: two instances, Redis and nginx, checked against real servers started from its config.json.

import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runSockudo, triggerAcross, uniqueId } from '../driver-helpers.js';
import { tempDir } from '../helpers.js';
import { startSockudo } from '../sockudo-process.js';
import {
  composeDefaults,
  DEPLOY,
  FORCED_EXIT_AFTER_GRACE_S,
  type Json,
  LOCAL_REDIS,
  read,
  resolved,
  runCheck,
} from './deploy-helpers.js';

describe('deploy/compose', () => {
  const compose = parseYaml(read('compose/compose.yaml'), { merge: true }) as Json;
  const services = compose.services as Record<string, Json>;
  const instances = Object.entries(services).filter(([, service]) => service.image?.startsWith('sockudo'));
  const configPath = join(DEPLOY, 'compose', 'config.json');
  const dockerfile = read('docker/Dockerfile');

  it('runs two sockudo instances, Redis and nginx', () => {
    expect(instances.map(([name]) => name)).toEqual(['sockudo-1', 'sockudo-2']);
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis', 'nginx']));
    for (const [name, service] of instances) {
      expect(service.build.dockerfile, name).toBe('deploy/docker/Dockerfile');
      expect(service.depends_on.redis, name).toBeDefined();
    }
    const ids = instances.map(([, service]) => service.environment.INSTANCE_PROCESS_ID);
    expect(new Set(ids).size, 'each instance has its own node id').toBe(instances.length);
  });

  it('mounts config.json where the image reads it by default', () => {
    const workdir = /^WORKDIR\s+(\S+)\s*$/m.exec(dockerfile.split(/^FROM /m).at(-1)!)?.[1];
    expect(workdir).toBeDefined();
    for (const [name, service] of instances) {
      expect(service.volumes, name).toContain(
        `./config.json:${posix.join(workdir!, 'config/config.json')}:ro`,
      );
    }
  });

  it("has a config.json that passes the server's validation, as each instance sees it", async () => {
    for (const [name, service] of instances) {
      const env = composeDefaults(service.environment);
      const config = resolved(configPath, env);
      expect(config.adapter.driver, name).toBe('redis');
      expect(config.database.redis.host, 'config.json names the compose Redis service').toBe('redis');
      const check = await runSockudo(['config', 'check', '-c', configPath], { env });
      expect(check.code, check.stderr).toBe(0);
    }
  });

  it('points nginx at every instance on the port it listens on, and publishes nginx', () => {
    const config = resolved(configPath, composeDefaults(instances[0]![1].environment));
    const nginx = read('compose/nginx.conf');
    const upstream = /upstream\s+sockudo\s*\{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    const servers = [...upstream.matchAll(/^\s*server\s+(\S+?)(?:\s|;)/gm)].map((m) => m[1]);
    expect(servers.sort()).toEqual(instances.map(([name]) => `${name}:${config.port}`).sort());
    const listen = Number(/^\s*listen\s+(\d+);/m.exec(nginx)?.[1]);
    expect(services.nginx!.ports).toContain(`${config.port}:${listen}`);
    expect(services.nginx!.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
  });

  it('lets an instance finish its graceful shutdown before compose kills it', () => {
    const config = resolved(configPath, composeDefaults(instances[0]![1].environment));
    for (const [name, service] of instances) {
      const seconds = Number(/^(\d+)s$/.exec(service.stop_grace_period)?.[1]);
      expect(seconds, name).toBeGreaterThan(config.shutdown_grace_period + FORCED_EXIT_AFTER_GRACE_S);
    }
  });

  it('has a health check that passes against instances started from config.json, which form one cluster', async () => {
    const env = composeDefaults(instances[0]![1].environment);
    const config = resolved(configPath, env);
    // This machine's Redis instead of the compose service, and a prefix of its own so no other test's
    // nodes join this cluster.
    const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Json;
    raw.adapter.redis = { ...raw.adapter.redis, prefix: `sockudo_deploy_${uniqueId()}:` };
    const dir = tempDir({ 'config.json': raw });
    const start = (id: string) =>
      startSockudo(['-c', 'config.json', '--host', '127.0.0.1', '--port', '0'], {
        cwd: dir,
        env: { ...env, ...LOCAL_REDIS, INSTANCE_PROCESS_ID: id },
      });
    const [a, b] = await Promise.all([start('sockudo-1'), start('sockudo-2')]);
    try {
      const check = services['sockudo-1']!.healthcheck.test as string[];
      expect(check[0]).toBe('CMD');
      const script = check.at(-1)!;
      // The check names the port config.json listens on; here the instance got a free one instead.
      expect(script).toContain(`:${config.port}/`);
      const command = [...check.slice(1, -1), script.replace(`:${config.port}/`, `:${a.port}/`)];
      expect(await runCheck(command)).toBe(0);
      const app = config.app_manager.array.apps[0]!;
      expect(await triggerAcross(a.port, b.port, app)).toEqual({ hello: 'drivers' });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 40_000);
});
