// deploy/docker: the Dockerfile's stages, user, ports, flags and health check, and its `pnpm deploy` step.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/config-schema.js';
import { startNode, within } from '../driver-helpers.js';
import { tempDir } from '../helpers.js';
import { kubernetes, ROOT, read, runCheck } from './deploy-helpers.js';

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
