import { readFileSync } from 'node:fs';
import { APP_RECORD_KEYS } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_SCHEMA,
  checkValue,
  DEFAULT_APP_ENV,
  ENV_EXTRAS,
  loadConfig,
  renderConfigReference,
} from '../src/index.js';
import { tempDir } from './helpers.js';

describe('config schema', () => {
  it('has one entry per path, each with a description', () => {
    const paths = CONFIG_SCHEMA.map((spec) => spec.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const spec of CONFIG_SCHEMA) expect(spec.description.length, spec.path).toBeGreaterThan(0);
  });

  it('lists every section before its keys', () => {
    const seen = new Set<string>();
    for (const spec of CONFIG_SCHEMA) {
      const parent = spec.path.split('.').slice(0, -1).join('.');
      if (parent !== '') expect(seen.has(parent), `${spec.path} needs section ${parent} first`).toBe(true);
      seen.add(spec.path);
    }
  });

  it('has defaults that pass its own validation', () => {
    for (const spec of CONFIG_SCHEMA) {
      if (spec.default === undefined || spec.type.kind === 'apps') continue;
      expect(checkValue(spec.type, spec.default), spec.path).toEqual({ ok: true, value: spec.default });
    }
  });

  it('uses each environment variable once', () => {
    const names = [
      ...CONFIG_SCHEMA.flatMap((spec) => spec.env ?? []),
      ...DEFAULT_APP_ENV.flatMap((spec) => spec.env),
      ...ENV_EXTRAS.map((spec) => spec.env),
    ];
    expect(new Set(names).size).toBe(names.length);
  });

  it('maps SOCKUDO_DEFAULT_APP_* only onto fields core understands', () => {
    for (const spec of DEFAULT_APP_ENV) expect(APP_RECORD_KEYS, spec.env[0]).toContain(spec.field);
  });

  it('describes every key of the resolved default configuration', () => {
    const { config } = loadConfig({ cwd: tempDir(), env: {} });
    for (const spec of CONFIG_SCHEMA) {
      if (spec.default === undefined) continue;
      let node: unknown = config;
      for (const part of spec.path.split('.')) node = (node as Record<string, unknown>)[part];
      expect(node, spec.path).toBeDefined();
    }
  });
});

describe('renderConfigReference', () => {
  it('documents every key and every environment variable', () => {
    const text = renderConfigReference();
    for (const spec of CONFIG_SCHEMA) {
      if (spec.type.kind !== 'section') expect(text, spec.path).toContain(`| \`${spec.path}\` |`);
      for (const name of spec.env ?? []) expect(text, name).toContain(`| \`${name}\` |`);
    }
    for (const spec of DEFAULT_APP_ENV)
      for (const name of spec.env) expect(text).toContain(`| \`${name}\` |`);
    for (const spec of ENV_EXTRAS) expect(text).toContain(`| \`${spec.env}\` |`);
  });
});

describe('README', () => {
  it('contains the current configuration reference', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme, 'regenerate with scripts/print-config-reference.mjs').toContain(renderConfigReference());
  });
});
