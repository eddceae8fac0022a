// Renders the configuration reference (Markdown) from the schema, so the docs list exactly what the
// loader accepts. `node apps/server/scripts/print-config-reference.mjs` prints it.

import { CONFIG_SCHEMA, type ConfigKeySpec, DEFAULT_APP_ENV, ENV_EXTRAS } from './config-schema.js';
import { describeType } from './config-value.js';

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

/** The configuration reference: every key, then every environment variable. */
export function renderConfigReference(): string {
  const lines: string[] = [
    '### Keys',
    '',
    'Keys are config.json paths (Rust Sockudo\'s snake_case). "No effect" keys are accepted so Rust Sockudo configs load unchanged, but this release does not act on them yet.',
    '',
    '| Key | Type | Default | Environment | Description |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const spec of CONFIG_SCHEMA) {
    if (spec.type.kind === 'section') continue;
    const env = (spec.env ?? []).map((name) => `\`${name}\``).join(', ');
    const note = spec.applied === false ? ' *(No effect in this release.)*' : '';
    lines.push(
      `| \`${spec.path}\` | ${typeText(spec)} | ${defaultText(spec)} | ${env} | ${cell(spec.description)}${note} |`,
    );
  }
  lines.push(
    '',
    '### Environment variables',
    '',
    'Environment variables override the config file; an empty value counts as unset.',
    '',
    '| Variable | Sets | Description |',
    '| --- | --- | --- |',
  );
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
  return `${lines.join('\n')}\n`;
}
