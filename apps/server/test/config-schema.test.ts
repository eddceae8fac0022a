import { readdirSync, readFileSync } from 'node:fs';
import { APP_RECORD_KEYS } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { CONFIG_REFERENCE_PATH, renderConfigurationDoc } from '../src/config/config-reference.js';
import {
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  checkValue,
  DEFAULT_APP_ENV,
  ENV_EXTRAS,
  loadConfig,
  RUST_SOCKUDO_ONLY_KEYS,
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

// The migration guides name environment variables and keys of three servers; every one they present as
// ours must be one the loader reads, and every one they say is not read must not be.
describe('docs/migrating-from-*.md', () => {
  const docs = new URL('../../../docs/', import.meta.url);
  const guides = readdirSync(docs).filter((name) => /^migrating-from-.*\.md$/.test(name));
  const ours = new Set([
    ...CONFIG_SCHEMA.flatMap((spec) => spec.env ?? []),
    ...DEFAULT_APP_ENV.flatMap((spec) => spec.env),
    ...ENV_EXTRAS.map((spec) => spec.env),
  ]);
  // Read by the clients and frameworks the guides configure, not by the server.
  const clientSide = /^(VITE_|PUSHER_|BROADCAST_)/;
  const sources = readdirSync(new URL('../src/', import.meta.url), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => readFileSync(new URL(`../src/${name}`, import.meta.url), 'utf8'))
    .join('\n');
  const envTokens = (text: string) =>
    [...text.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*(?:_\*)?)`/g)]
      .map((match) => match[1]!)
      .filter((token) => token.includes('_') || ['HOST', 'PORT', 'DEBUG'].includes(token));
  /** The text under a heading, up to the next heading of any level. */
  const section = (text: string, heading: string) => {
    const start = text.indexOf(`${heading}\n`);
    expect(start, heading).toBeGreaterThanOrEqual(0);
    const rest = text.slice(start + heading.length + 1);
    const end = rest.search(/^#{1,6} /m);
    return end < 0 ? rest : rest.slice(0, end);
  };

  it('exist for Pusher, soketi and Rust Sockudo', () => {
    expect(guides.sort()).toEqual([
      'migrating-from-pusher.md',
      'migrating-from-rust-sockudo.md',
      'migrating-from-soketi.md',
    ]);
  });

  it.each(guides)(
    '%s: names only variables the server reads, except where it says they are not read',
    (name) => {
      const text = readFileSync(new URL(name, docs), 'utf8');
      // The list itself; the paragraph after it ("Of the `NATS_*` variables, ... are read") is checked as usual.
      const notRead = name.includes('rust')
        ? section(text, '### Environment variables not read').split('\n\nOf the ')[0]!
        : '';
      // "`WEBSOCKET_*` (except `WEBSOCKET_MAX_PAYLOAD_KB`)": the exception is read.
      const exceptions = new Set([...notRead.matchAll(/except `([A-Z0-9_]+)`/g)].map((m) => m[1]!));
      const notReadTokens = new Set(envTokens(notRead).filter((token) => !exceptions.has(token)));
      for (const token of envTokens(text)) {
        if (clientSide.test(token)) continue;
        if (token.startsWith('SOKETI_')) {
          // soketi's names: none is read here.
          expect(ours.has(token), token).toBe(false);
          expect(sources, token).not.toContain(token.replace(/_\*$/, '_'));
          continue;
        }
        if (notReadTokens.has(token)) {
          if (token.endsWith('*')) {
            const prefix = token.slice(0, -1);
            for (const env of ours)
              if (env.startsWith(prefix))
                expect(notRead, `${token} must except ${env}`).toContain(`except \`${env}\``);
          } else {
            expect(ours.has(token), `${token} is read, but listed as not read`).toBe(false);
            expect(sources, token).not.toContain(`'${token}'`);
          }
          continue;
        }
        if (token.endsWith('*')) {
          const prefix = token.slice(0, -1);
          expect(
            [...ours].some((env) => env.startsWith(prefix)),
            `${name}: no variable the server reads matches ${token}`,
          ).toBe(true);
        } else {
          expect(ours.has(token), `${name}: ${token} is not a variable the server reads`).toBe(true);
        }
      }
    },
  );

  it.each(guides)('%s: names config keys that exist', (name) => {
    const text = readFileSync(new URL(name, docs), 'utf8');
    const topLevel = new Set(CONFIG_SCHEMA.map((spec) => spec.path.split('.')[0]));
    // Named on purpose as settings this release does not have.
    const absent = new Set([
      'rate_limiter.api_rate_limit',
      'rate_limiter.websocket_rate_limit',
      'queue.reliability',
      'cache.memory',
    ]);
    for (const [, path] of text.matchAll(/`([a-z_]+(?:\.[a-z_]+)+)`/g)) {
      if (!topLevel.has(path!.split('.')[0]) || absent.has(path!)) continue;
      // `adapter.options` and friends are keys of the package-driver sections.
      expect(CONFIG_KEYS.has(path!), `${name}: ${path} is not a config key`).toBe(true);
    }
  });

  it('lists exactly the keys accepted without effect, and the unimplemented drivers', () => {
    const text = readFileSync(new URL('migrating-from-rust-sockudo.md', docs), 'utf8');
    const listed = [...section(text, '### Keys accepted without effect').matchAll(/`([a-z_.]+)`/g)].map(
      (m) => m[1],
    );
    const noEffect = CONFIG_SCHEMA.filter((spec) => spec.applied === false).map((spec) => spec.path);
    expect(listed.sort()).toEqual(noEffect.sort());
    const rows = section(text, '### Drivers')
      .split('\n')
      .filter((line) => /^\| `[a-z_]+\.driver` \|/.test(line));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const [key, available, missing] = row
        .split(' | ')
        .map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
      const spec = CONFIG_KEYS.get(key![0]!)!;
      const names =
        spec.type.kind === 'driver' ? spec.type.available : spec.type.kind === 'enum' ? spec.type.values : [];
      expect(new Set(available), key![0]).toEqual(new Set(names));
      for (const driver of missing ?? []) expect(names, `${key![0]}: ${driver}`).not.toContain(driver);
    }
  });

  it('points at the sections of Rust Sockudo this release ignores', () => {
    const text = readFileSync(new URL('migrating-from-rust-sockudo.md', docs), 'utf8');
    const paragraph = section(text, '### Sections not implemented').split(
      'Keys of the implemented sections',
    )[0]!;
    const named = [...paragraph.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(3);
    for (const key of named) expect(RUST_SOCKUDO_ONLY_KEYS, key).toContain(key);
  });
});
