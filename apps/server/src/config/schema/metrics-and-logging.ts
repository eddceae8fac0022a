// What the server tells operators: Prometheus metrics on their own port, and the log output.

import { openSection, section } from './key-spec.js';
import { BOOLEAN, NON_EMPTY, PORT, STRING } from './shapes.js';

/** The levels `logging.level` (`LOG_LEVEL`) accepts, most verbose first (pino's names). */
export const LOG_LEVELS = Object.freeze([
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
] as const);

/** A pino level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

export const METRICS = openSection('metrics', 'Prometheus metrics on their own port.', [
  {
    key: 'enabled',
    type: BOOLEAN,
    default: true,
    env: ['METRICS_ENABLED'],
    description:
      'Serve Prometheus metrics at /metrics on their own port. If that port cannot be bound, the server logs an error and keeps serving without metrics.',
  },
  {
    key: 'driver',
    type: { kind: 'enum', values: ['prometheus'] },
    default: 'prometheus',
    env: ['METRICS_DRIVER'],
    description: 'Metrics driver.',
  },
  {
    key: 'host',
    type: NON_EMPTY,
    default: '0.0.0.0',
    env: ['METRICS_HOST'],
    description: 'Address of the metrics server.',
  },
  {
    key: 'port',
    type: PORT,
    default: 9601,
    env: ['METRICS_PORT'],
    description: 'Port of the metrics server.',
  },
  section('prometheus', 'Prometheus options.', [
    {
      key: 'prefix',
      type: STRING,
      default: 'sockudo_',
      env: ['METRICS_PROMETHEUS_PREFIX'],
      description: 'Prefix of every metric name.',
    },
  ]),
]);

export const LOGGING = section('logging', 'Log output.', [
  {
    key: 'output_format',
    type: { kind: 'enum', values: ['text', 'json'] },
    default: 'text',
    env: ['LOG_OUTPUT_FORMAT'],
    description: 'text lines or JSON lines (Rust Sockudo reads only the environment variable).',
  },
  {
    key: 'level',
    type: { kind: 'enum', values: [...LOG_LEVELS] },
    default: 'info',
    env: ['LOG_LEVEL'],
    description:
      'The least severe level written (pino level names); `debug: true` lowers it to at least debug, silent writes nothing.',
  },
  {
    key: 'colors_enabled',
    type: BOOLEAN,
    default: true,
    env: ['LOG_COLORS_ENABLED'],
    description: 'Colour the level in text logs when writing to a terminal.',
  },
  {
    key: 'include_target',
    type: BOOLEAN,
    default: true,
    env: ['LOG_INCLUDE_TARGET'],
    description: 'Accepted for compatibility (Rust module paths in log lines).',
    applied: false,
  },
]);
