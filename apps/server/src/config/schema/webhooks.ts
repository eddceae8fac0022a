// Webhook delivery: batching, the request timeout and retries.

import { openSection, section } from './key-spec.js';
import { BOOLEAN, COUNT, POSITIVE } from './shapes.js';

export const WEBHOOKS = openSection('webhooks', 'Webhook delivery.', [
  section('batching', 'Coalescing of webhook events into one request.', [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: true,
      env: ['WEBHOOK_BATCHING_ENABLED'],
      description: 'Batch webhook events per app.',
    },
    {
      key: 'duration',
      type: COUNT,
      default: 50,
      env: ['WEBHOOK_BATCHING_DURATION'],
      description: 'Milliseconds to collect a batch.',
    },
    {
      key: 'size',
      type: POSITIVE,
      default: 100,
      env: ['WEBHOOK_BATCHING_SIZE'],
      description: 'Most events in one batch.',
    },
  ]),
  {
    key: 'request_timeout_ms',
    type: POSITIVE,
    default: 10000,
    description: 'Timeout of one webhook request, in milliseconds.',
  },
  openSection('retry', 'Retries of failed webhook requests (network errors, 5xx, 408, 409, 425, 429).', [
    {
      key: 'initial_backoff_ms',
      type: POSITIVE,
      default: 1000,
      description: 'First retry delay, in milliseconds; doubles each attempt.',
    },
    {
      key: 'max_backoff_ms',
      type: POSITIVE,
      default: 60000,
      description: 'Longest retry delay, in milliseconds.',
    },
    {
      key: 'max_elapsed_time_ms',
      type: POSITIVE,
      default: 300000,
      description: 'Give up this many milliseconds after the first attempt.',
    },
  ]),
]);
