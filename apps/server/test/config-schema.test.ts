import { readFileSync } from 'node:fs';
import { APP_RECORD_KEYS } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { CONFIG_REFERENCE_PATH, renderConfigurationDoc } from '../src/config-reference.js';
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

describe('docs/configuration.md', () => {
  const docPath = new URL(`../../../${CONFIG_REFERENCE_PATH}`, import.meta.url);

  it('is the current generated reference', () => {
    const doc = readFileSync(docPath, 'utf8');
    expect(doc, 'regenerate with: node apps/server/scripts/print-config-reference.mjs --write').toBe(
      renderConfigurationDoc(),
    );
  });

  it('gives every key its type, default, variables and description in one row', () => {
    const doc = readFileSync(docPath, 'utf8');
    const rows = new Map(
      doc
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) => [line.split(' | ')[0]!.slice(2), line] as const),
    );
    for (const spec of CONFIG_SCHEMA) {
      if (spec.type.kind === 'section') continue;
      const row = rows.get(`\`${spec.path}\``);
      expect(row, spec.path).toBeDefined();
      const cells = row!.split(' | ');
      expect(cells.length, spec.path).toBeGreaterThanOrEqual(5);
      expect(cells[1]!.length, `${spec.path}: type`).toBeGreaterThan(0);
      if (spec.default !== undefined && spec.type.kind !== 'apps')
        expect(cells[2], `${spec.path}: default`).toBe(
          `\`${JSON.stringify(spec.default).replace(/\|/g, '\\|')}\``,
        );
      for (const name of spec.env ?? []) expect(cells[3], `${spec.path}: ${name}`).toContain(`\`${name}\``);
      expect(row, `${spec.path}: description`).toContain(spec.description.replace(/\|/g, '\\|'));
    }
  });

  it('is linked from the package README instead of copied into it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('](../../docs/configuration.md)');
    expect(readme).not.toContain('| Key | Type | Default | Environment | Description |');
  });
});
