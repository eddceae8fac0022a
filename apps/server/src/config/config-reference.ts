// Renders the configuration reference (Markdown) from the schema, so the docs list exactly what the
// loader accepts. `node apps/server/scripts/print-config-reference.mjs --write` writes docs/configuration.md.

import {
  CONFIG_SCHEMA,
  type ConfigKeySpec,
  DEFAULT_APP_ENV,
  ENV_EXTRAS,
  RUST_SOCKUDO_ONLY_KEYS,
} from './config-schema.js';
import { describeType } from './config-value.js';

/** Where the generated reference lives, relative to the repository root. */
export const CONFIG_REFERENCE_PATH = 'docs/configuration.md';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function typeText(spec: ConfigKeySpec): string {
  const type = spec.type;
  switch (type.kind) {
    case 'driver': {
      const later = type.values.filter((value) => !type.available.includes(value));
      return `${type.available.join(' \\| ')}${later.length > 0 ? ` (not yet: ${later.join(', ')})` : ''}`;
    }
    case 'enum':
      return type.values.join(' \\| ');
    case 'apps':
      return 'array of apps';
    default:
      return cell(describeType(type).replace(/^an? /, ''));
  }
}

function defaultText(spec: ConfigKeySpec): string {
  if (spec.type.kind === 'apps') return 'one app: `app-id` / `app-key` / `app-secret`';
  if (spec.default === undefined) return '';
  return `\`${cell(JSON.stringify(spec.default))}\``;
}

function keyRow(spec: ConfigKeySpec): string {
  const env = (spec.env ?? []).map((name) => `\`${name}\``).join(', ');
  const note = spec.applied === false ? ' *(No effect in this release.)*' : '';
  return `| \`${spec.path}\` | ${typeText(spec)} | ${defaultText(spec)} | ${env} | ${cell(spec.description)}${note} |`;
}

const KEY_TABLE_HEAD = [
  '| Key | Type | Default | Environment | Description |',
  '| --- | --- | --- | --- | --- |',
];

function topLevelOf(path: string): string {
  return path.split('.')[0] ?? path;
}

/** The key tables, one per top-level section (top-level scalars first), with each section's sub-sections. */
function renderKeys(): string[] {
  const lines: string[] = [
    '## Keys',
    '',
    'Keys are config.json paths (Rust Sockudo\'s snake_case). "No effect" keys are accepted so Rust Sockudo configs load unchanged, but this release does not act on them yet. An empty Environment cell means the key is set only in config.json.',
    '',
  ];
  const scalars = CONFIG_SCHEMA.filter((spec) => !spec.path.includes('.') && spec.type.kind !== 'section');
  lines.push('### Top-level keys', '', ...KEY_TABLE_HEAD, ...scalars.map(keyRow), '');
  for (const section of CONFIG_SCHEMA) {
    if (section.path.includes('.') || section.type.kind !== 'section') continue;
    const members = CONFIG_SCHEMA.filter(
      (spec) => topLevelOf(spec.path) === section.path && spec !== section,
    );
    lines.push(`### \`${section.path}\``, '', section.description);
    if (section.type.open) {
      lines.push(
        '',
        'Keys this table does not list are passed through to the drivers (with a warning that this release does not use them).',
      );
    }
    const subsections = members.filter((spec) => spec.type.kind === 'section');
    if (subsections.length > 0) {
      lines.push('', 'Sub-sections:', '');
      for (const sub of subsections) lines.push(`* \`${sub.path}\`: ${sub.description}`);
    }
    const keys = members.filter((spec) => spec.type.kind !== 'section');
    lines.push('', ...KEY_TABLE_HEAD, ...keys.map(keyRow), '');
  }
  return lines;
}

/** The table of every environment variable. */
function renderEnvironment(): string[] {
  const lines: string[] = [
    '## Environment variables',
    '',
    'Environment variables override the config file; an empty value counts as unset. Where a key lists several variables, the first one set wins.',
    '',
    '| Variable | Sets | Description |',
    '| --- | --- | --- |',
  ];
  for (const spec of CONFIG_SCHEMA) {
    for (const name of spec.env ?? []) {
      const note = spec.applied === false ? ' *(No effect in this release.)*' : '';
      lines.push(`| \`${name}\` | \`${spec.path}\` | ${cell(spec.description)}${note} |`);
    }
  }
  for (const spec of DEFAULT_APP_ENV) {
    for (const name of spec.env) {
      lines.push(`| \`${name}\` | default app \`${spec.field}\` | ${cell(spec.description)} |`);
    }
  }
  for (const spec of ENV_EXTRAS) {
    lines.push(
      `| \`${spec.env}\` | ${spec.sets.map((path) => `\`${path}\``).join(', ')} | ${cell(spec.description)} |`,
    );
  }
  lines.push(
    '',
    "With `SOCKUDO_DEFAULT_APP_ID`, `SOCKUDO_DEFAULT_APP_KEY` and `SOCKUDO_DEFAULT_APP_SECRET` all set, the apps of `app_manager.array.apps` are replaced by that one app (setting only some of the three is an error). Its unset limits take Pusher's defaults.",
    '',
  );
  return lines;
}

/**
 * The configuration reference: every key (type, default, environment variables, description) grouped by
 * section, then every environment variable.
 */
export function renderConfigReference(): string {
  return `${[...renderKeys(), ...renderEnvironment()].join('\n').trimEnd()}\n`;
}

/** The whole of docs/configuration.md: a header saying it is generated, the reference, and the ignored sections. */
export function renderConfigurationDoc(): string {
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from apps/server/src/config/config-schema.ts. Do not edit by hand: run `pnpm -w build && node apps/server/scripts/print-config-reference.mjs --write`. apps/server/test/config-schema.test.ts fails while this file is out of date. -->',
    '',
    'This file is generated from the schema the `sockudo` binary validates against (`apps/server/src/config/config-schema.ts`), so it lists exactly the keys and environment variables the server reads. To regenerate it after changing the schema:',
    '',
    '```sh',
    'pnpm -w build',
    'node apps/server/scripts/print-config-reference.mjs --write   # without --write it prints to stdout',
    '```',
    '',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax, shown literally
    "Sources, later ones winning: built-in defaults (Rust Sockudo's) → the config file (`sockudo start -c <file>`, else `config/config.json` in the working directory; `${VAR}` and `${VAR:-default}` are substituted) → environment variables → the flags `--host`, `--port`, `--debug`, `--workers`. Then one validation pass reports every problem, each naming its key, variable or flag, and exits 1 before anything listens. `sockudo config check` prints the resolved configuration (secrets masked) or the errors. See [apps/server/README.md](../apps/server/README.md#configuration) for the guide and examples.",
    '',
  ];
  const ignored = [
    '## Rust Sockudo sections not implemented',
    '',
    'These top-level sections of a Rust Sockudo config.json load with a warning and are not read:',
    '',
    RUST_SOCKUDO_ONLY_KEYS.map((key) => `\`${key}\``).join(', '),
    '',
  ];
  return `${[...lines, renderConfigReference(), ...ignored].join('\n').trimEnd()}\n`;
}
