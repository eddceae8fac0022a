// deploy/ checked against the server it deploys. No container engine runs here, so what can be checked
// is checked for real: every YAML file parses; the config.json of the compose file and of the Kubernetes
// ConfigMap pass the server's own validation (the loader and `sockudo config check`); real `sockudo start`
// processes run from those configs and answer the probe and health-check paths the manifests name, on the
// ports they name; the image's health check command runs; the Dockerfile's `pnpm deploy` step produces a
// tree that starts; and the Kubernetes grace period outlasts the server's own shutdown.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { checkConfig } from '../src/config/config-loader.js';
import { CONFIG_KEYS } from '../src/config/config-schema.js';
import type { ResolvedConfig } from '../src/config/resolved-config.js';
import { runSockudo, startNode, triggerAcross, uniqueId, within } from './driver-helpers.js';
import { tempDir } from './helpers.js';
import { startSockudo } from './sockudo-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const read = (path: string): string => readFileSync(join(DEPLOY, path), 'utf8');

/** `handleShutdownSignals` forces the exit this long after the grace period (its `forceAfterMs` default). */
const FORCED_EXIT_AFTER_GRACE_S = 5;
/** The machine's Redis, standing in for the `redis` service/host the manifests name. */
const LOCAL_REDIS = { DATABASE_REDIS_HOST: '127.0.0.1', DATABASE_REDIS_PORT: '6379' };

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests; the assertions are the type checks
type Json = Record<string, any>;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

/** Every Kubernetes object in deploy/kubernetes, by kind. */
function kubernetes(): Record<string, Json> {
  const objects: Record<string, Json> = {};
  for (const file of yamlFiles(join(DEPLOY, 'kubernetes'))) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const object = doc.toJS() as Json;
      if (object?.kind) objects[object.kind] = object;
    }
  }
  return objects;
}

function sockudoContainer(deployment: Json): Json {
  const containers: Json[] = deployment.spec.template.spec.containers;
  const container = containers.find((c) => c.name === 'sockudo');
  if (!container) throw new Error('deployment.yaml has no container named sockudo');
  return container;
}

/** The container's environment, with made-up values for what Kubernetes fills in (pod name, Secrets). */
function containerEnv(container: Json): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = String(entry.value);
    else if (entry.valueFrom?.fieldRef) env[entry.name] = 'sockudo-pod-0';
    else if (entry.valueFrom?.secretKeyRef) env[entry.name] = `test-${entry.valueFrom.secretKeyRef.key}`;
  }
  return env;
}

/** The value after `--config` (or `-c`) in the container's args. */
function configArg(args: string[]): string {
  const at = args.findIndex((arg) => arg === '--config' || arg === '-c');
  if (at < 0 || args[at + 1] === undefined) throw new Error(`no --config in args ${JSON.stringify(args)}`);
  return args[at + 1]!;
}

/** The container port a probe or Service targets, by name or number. */
function containerPort(container: Json, port: string | number): number {
  if (typeof port === 'number') return port;
  const found = (container.ports as Json[]).find((p) => p.name === port);
  if (!found) throw new Error(`container has no port named ${port}`);
  return found.containerPort;
}

/** Compose's `${VAR:-default}` interpolation, with nothing set: every variable takes its default. */
function composeDefaults(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      String(value).replace(
        /\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g,
        (_, fallback: string | undefined) => fallback ?? '',
      ),
    ]),
  );
}

function resolved(file: string, env: Record<string, string>): ResolvedConfig {
  const result = checkConfig({ file, env, cwd: tempDir() });
  expect(result.errors, JSON.stringify(result.errors)).toEqual([]);
  return result.config!;
}

/** Runs a container health check command (exec form) on this machine; resolves with its exit code. */
function runCheck(command: string[], env: Record<string, string> = {}): Promise<number | null> {
  const [program, ...args] = command;
  expect(program, 'health checks run node (the slim image has no curl)').toBe('node');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

function metricsPort(output: string): number {
  const match = /Metrics on http:\/\/[^:]+:(\d+)\/metrics/.exec(output);
  if (!match) throw new Error(`the server did not log its metrics port:\n${output}`);
  return Number(match[1]);
}

describe('deploy/: every YAML file', () => {
  const files = yamlFiles(DEPLOY);

  it('exists where the docs say', () => {
    const names = files.map((file) => posix.normalize(file.slice(DEPLOY.length + 1).replaceAll('\\', '/')));
    expect(names).toEqual(
      expect.arrayContaining([
        'compose/compose.yaml',
        'kubernetes/configmap.yaml',
        'kubernetes/deployment.yaml',
        'kubernetes/service.yaml',
      ]),
    );
  });

  it.each(files.map((file) => [file.slice(ROOT.length)]))('%s parses', (file) => {
    for (const doc of parseAllDocuments(readFileSync(join(ROOT, file), 'utf8'), { merge: true })) {
      expect(doc.errors.map(String), file).toEqual([]);
      expect(doc.toJS(), file).toBeTruthy();
    }
  });
});

describe('deploy/docker/Dockerfile', () => {
  // Instructions with their line continuations joined, comments dropped.
  const instructions = read('docker/Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
  const stages: Array<{ from: string; name: string; body: typeof instructions }> = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)\s+AS\s+(\S+)$/i.exec(instruction.args);
      expect(match, `FROM ${instruction.args} names its stage`).not.toBeNull();
      stages.push({ from: match![1]!, name: match![2]!, body: [] });
    } else {
      stages.at(-1)?.body.push(instruction);
    }
  }
  const runtime = stages.at(-1)!;
  const only = (keyword: string) => runtime.body.filter((i) => i.keyword === keyword).map((i) => i.args);
  const healthcheck = only('HEALTHCHECK')[0] ?? '';
  const checkCommand = JSON.parse(/CMD\s+(\[.*\])\s*$/.exec(healthcheck)?.[1] ?? 'null') as string[] | null;

  it('is multi-stage on Node 20 slim images, the runtime stage copying only the build output', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const args = instructions.filter((i) => i.keyword === 'ARG').map((i) => i.args);
    expect(args).toContain('NODE_VERSION=20');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own ${NODE_VERSION}, literally
    for (const stage of stages) expect(stage.from).toBe('node:${NODE_VERSION}-bookworm-slim');
    const copies = only('COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies)
      expect(copy, 'runtime copies from the build stage only').toMatch(/--from=build\b/);
    expect(stages.map((s) => s.name)).toContain('build');
  });

  it('installs the pnpm of package.json#packageManager and runs as a non-root user', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string };
    const build = stages.find((s) => s.name === 'build')!;
    expect(build.body.map((i) => i.args).join('\n')).toContain(root.packageManager);
    const users = only('USER');
    expect(users.length, 'runtime stage sets USER').toBeGreaterThan(0);
    const user = users.at(-1)!.split(':')[0]!;
    expect(['root', '0']).not.toContain(user);
    // Numeric, so Kubernetes' runAsNonRoot can verify it; and the one deployment.yaml runs as.
    expect(user).toMatch(/^\d+$/);
    const pod = kubernetes().Deployment!.spec.template.spec.securityContext;
    expect(pod.runAsNonRoot).toBe(true);
    expect(String(pod.runAsUser)).toBe(user);
  });

  it('exposes the default port and metrics port, stops with SIGTERM, and checks /up', () => {
    const exposed = only('EXPOSE')
      .flatMap((line) => line.split(/\s+/))
      .map(Number);
    expect(exposed).toContain(CONFIG_KEYS.get('port')!.default);
    expect(exposed).toContain(CONFIG_KEYS.get('metrics.port')!.default);
    expect(only('STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(checkCommand, `HEALTHCHECK in exec form: ${healthcheck}`).not.toBeNull();
    expect(checkCommand!.join(' ')).toContain("'/up'");
    expect(only('ENTRYPOINT').join(' ') + only('CMD').join(' ')).toMatch(/dist\/bin\.js.*start/s);
  });

  it("runs node with the same flags as the sockudo executable's shebang line", () => {
    // `node dist/bin.js` skips the shebang, so the ENTRYPOINT must repeat its flags (the semi-space cap).
    const shebang = readFileSync(join(ROOT, 'apps/server/dist/bin.js'), 'utf8').split('\n')[0]!;
    const flags = shebang
      .replace(/^#!\/usr\/bin\/env -S node\s*/, '')
      .split(/\s+/)
      .filter(Boolean);
    expect(flags.length, shebang).toBeGreaterThan(0);
    const entry = JSON.parse(only('ENTRYPOINT')[0]!) as string[];
    expect(entry[0]).toBe('node');
    expect(
      entry.slice(
        1,
        entry.findIndex((word) => word.endsWith('bin.js')),
      ),
    ).toEqual(flags);
  });

  it("has a .dockerignore that keeps the host's node_modules and build output out of the context", () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist']));
  });

  it('has a HEALTHCHECK command that passes against a running server and fails against a stopped one', async () => {
    const node = await startNode(['--host', '127.0.0.1', '--port', '0'], { cwd: tempDir() });
    expect(await runCheck(checkCommand!, { PORT: String(node.port) })).toBe(0);
    expect(await node.stop()).toBe(0);
    expect(await runCheck(checkCommand!, { PORT: String(node.port) })).toBe(1);
  });

  it('has a `pnpm deploy` step whose output starts the server (the runtime stage)', async () => {
    const build = stages.find((s) => s.name === 'build')!;
    const deploy = build.body.find((i) => i.keyword === 'RUN' && /\bpnpm\b.*\bdeploy\b/.test(i.args));
    expect(deploy, 'the build stage runs pnpm deploy').toBeDefined();
    const words = deploy!.args.split(/\s+/).map((word) => word.replace(/^"|"$/g, ''));
    const target = words.at(-1)!;
    expect(runtime.body.some((i) => i.keyword === 'COPY' && i.args.includes(` ${target} `))).toBe(true);
    const out = join(tempDir(), 'out');
    const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(words[0]!, [...words.slice(1, -1), out], { cwd: ROOT, env: process.env });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(run.code, run.output).toBe(0);
    // The runtime stage's ENTRYPOINT is `node <flags> /app/dist/bin.js`: the same file of the deployed tree.
    const entry = JSON.parse(only('ENTRYPOINT')[0]!) as string[];
    const bin = join(out, entry.find((word) => word.endsWith('bin.js'))!.replace(/^\/app\//, ''));
    const node = await startDeployed(bin, tempDir());
    try {
      const response = await fetch(`http://127.0.0.1:${node.port}/up`);
      expect(response.status).toBe(200);
    } finally {
      node.child.kill('SIGTERM');
    }
  }, 60_000);
});

/** `node <bin> start` of a deployed tree, on a free loopback port. */
function startDeployed(bin: string, cwd: string) {
  const child = spawn(process.execPath, [bin, 'start', '--host', '127.0.0.1', '--port', '0'], {
    cwd,
    env: { PATH: process.env.PATH, METRICS_ENABLED: 'false' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return within<{ port: number; child: typeof child }>(
    15_000,
    `the deployed server to listen:\n${output}`,
    (ok) => {
      child.stdout.on('data', () => {
        const match = /Sockudo listening on http:\/\/[^:]+:(\d+)/.exec(output);
        if (match) ok({ port: Number(match[1]), child });
      });
    },
  );
}

describe('deploy/kubernetes', () => {
  const objects = kubernetes();
  const deployment = objects.Deployment!;
  const container = sockudoContainer(deployment);
  const env = containerEnv(container);

  /** The ConfigMap's config.json, written where the test can read it. */
  function configFile(): string {
    const text = objects.ConfigMap?.data?.['config.json'];
    expect(typeof text, 'configmap.yaml has data["config.json"]').toBe('string');
    const dir = tempDir({ 'config.json': text });
    return join(dir, 'config.json');
  }

  it('has a Deployment, a Service and a ConfigMap', () => {
    expect(Object.keys(objects)).toEqual(
      expect.arrayContaining(['Deployment', 'Service', 'ConfigMap', 'PodDisruptionBudget']),
    );
  });

  it('lists every manifest in kustomization.yaml, and selects the pods everywhere with the same labels', () => {
    const kustomization = parseYaml(read('kubernetes/kustomization.yaml')) as Json;
    const manifests = readdirSync(join(DEPLOY, 'kubernetes')).filter(
      (name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml',
    );
    expect([...kustomization.resources].sort()).toEqual(manifests.sort());
    const labels = deployment.spec.template.metadata.labels;
    expect(labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(objects.Service!.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(objects.PodDisruptionBudget!.spec.selector.matchLabels).toEqual(
      deployment.spec.selector.matchLabels,
    );
  });

  it('mounts the ConfigMap where the container is told to read its config', () => {
    const volumes: Json[] = deployment.spec.template.spec.volumes;
    const volume = volumes.find((v) => v.configMap?.name === objects.ConfigMap!.metadata.name);
    expect(volume, 'a volume of the ConfigMap').toBeDefined();
    const mount = (container.volumeMounts as Json[]).find((m) => m.name === volume!.name);
    expect(mount, 'the ConfigMap volume is mounted').toBeDefined();
    expect(configArg(container.args)).toBe(posix.join(mount!.mountPath, 'config.json'));
  });

  it("has a config.json that passes the server's validation, with the manifest's environment", async () => {
    const file = configFile();
    const config = resolved(file, env);
    expect(config.adapter.driver, 'more than one replica needs a cluster adapter').not.toBe('local');
    const check = await runSockudo(['config', 'check', '-c', file], { env });
    expect(check.code, check.stderr).toBe(0);
    // And fails loudly without the Secret the Deployment fills in.
    const { SOCKUDO_APP_SECRET: _, ...withoutSecret } = env;
    const missing = await runSockudo(['config', 'check', '-c', file], { env: withoutSecret });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('app_manager.array.apps[0].secret');
  });

  it('exposes the ports the config listens on, and the Service targets them', () => {
    const config = resolved(configFile(), env);
    expect(containerPort(container, 'http')).toBe(config.port);
    expect(containerPort(container, 'metrics')).toBe(config.metrics.port);
    const service = objects.Service!;
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    const targets = (service.spec.ports as Json[]).map((p) => containerPort(container, p.targetPort));
    expect(targets.sort()).toEqual([config.port, config.metrics.port].sort());
    const annotations = deployment.spec.template.metadata.annotations ?? {};
    if (annotations['prometheus.io/port'] !== undefined)
      expect(Number(annotations['prometheus.io/port'])).toBe(config.metrics.port);
  });

  it('probes /ready for readiness and /up for liveness, on the server port', () => {
    const config = resolved(configFile(), env);
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/up');
    expect(containerPort(container, container.readinessProbe.httpGet.port)).toBe(config.port);
    expect(containerPort(container, container.livenessProbe.httpGet.port)).toBe(config.port);
  });

  it("gives the pod longer to stop than preStop plus the server's grace period plus its forced-exit margin", () => {
    const config = resolved(configFile(), env);
    const command: string[] = container.lifecycle.preStop.exec.command;
    expect(command[0]).toBe('sleep');
    const preStop = Number(command[1]);
    expect(preStop, 'preStop sleeps a few seconds so endpoints are updated first').toBeGreaterThan(0);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(
      preStop + config.shutdown_grace_period + FORCED_EXIT_AFTER_GRACE_S,
    );
  });

  it('runs as non-root with resource requests', () => {
    const pod = deployment.spec.template.spec.securityContext;
    expect(pod.runAsNonRoot).toBe(true);
    expect(pod.runAsUser).not.toBe(0);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.resources.requests.cpu).toBeTruthy();
    expect(container.resources.requests.memory).toBeTruthy();
  });

  it('serves the probe paths (200) and metrics from the ConfigMap config, and joins pods through Redis', async () => {
    const file = configFile();
    const config = resolved(file, env);
    // The container's own args, with this machine's Redis and loopback, OS-chosen ports.
    const args = container.args
      .slice(1)
      .map((arg: string) => (arg === configArg(container.args) ? file : arg));
    expect(container.args[0]).toBe('start');
    const nodeEnv = { ...env, ...LOCAL_REDIS };
    const [a, b] = await Promise.all([
      startNode([...args, '--host', '127.0.0.1', '--port', '0'], {
        env: { ...nodeEnv, INSTANCE_PROCESS_ID: 'pod-a' },
      }),
      startNode([...args, '--host', '127.0.0.1', '--port', '0'], {
        env: { ...nodeEnv, INSTANCE_PROCESS_ID: 'pod-b' },
      }),
    ]);
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      const response = await fetch(`http://127.0.0.1:${a.port}${probe.httpGet.path}`);
      expect(response.status, probe.httpGet.path).toBe(200);
    }
    const metrics = await fetch(`http://127.0.0.1:${metricsPort(a.output())}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain(config.metrics.prometheus.prefix);
    const app = config.app_manager.array.apps[0]!;
    expect(await triggerAcross(a.port, b.port, app)).toEqual({ hello: 'drivers' });
    expect(await a.stop(30_000)).toBe(0);
  }, 40_000);
});

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
