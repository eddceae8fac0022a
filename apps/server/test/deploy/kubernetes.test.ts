// deploy/kubernetes: the manifests agree with each other and with a real server started from the ConfigMap.

import { readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runSockudo, startNode, triggerAcross } from '../driver-helpers.js';
import { tempDir } from '../helpers.js';
import {
  configArg,
  containerEnv,
  containerPort,
  DEPLOY,
  FORCED_EXIT_AFTER_GRACE_S,
  type Json,
  kubernetes,
  LOCAL_REDIS,
  metricsPort,
  read,
  resolved,
  sockudoContainer,
} from './deploy-helpers.js';

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
