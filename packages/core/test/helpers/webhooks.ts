// What the webhook integration files share: a node whose app posts to a local receiver, the checks
// every signed request must pass, and a control subscription to wait on ("nothing else came first").

import type Pusher from 'pusher';
import { expect } from 'vitest';
import type { RawClient } from './clients.js';
import { featureApp, type ReceivedWebhook, WebhookReceiver, webhookSignature } from './features.js';
import { startServer, type TestApp } from './server.js';

/** Immediate, unbatched delivery: one event per request, leave events not held. */
export const PLAIN = { batching: false, leaveDelayMs: 0, initialBackoffMs: 50 } as const;

/** Checks everything Pusher promises about one webhook request for `app`. */
export function expectSigned(request: ReceivedWebhook, app: TestApp, backend: Pusher): void {
  expect(request.headers['content-type']).toBe('application/json');
  expect(request.headers['x-pusher-key']).toBe(app.key);
  expect(request.headers['x-pusher-signature']).toBe(webhookSignature(app.secret, request.rawBody));
  const webhook = backend.webhook({
    headers: request.headers as Record<string, string>,
    rawBody: request.rawBody,
  });
  expect(webhook.isValid()).toBe(true);
  // The check itself can fail: a changed body or another app's secret does not verify.
  expect(
    backend
      .webhook({ headers: request.headers as Record<string, string>, rawBody: `${request.rawBody} ` })
      .isValid(),
  ).toBe(false);
  expect(webhookSignature(`${app.secret}x`, request.rawBody)).not.toBe(request.headers['x-pusher-signature']);
  expect(Object.keys(request.body).sort()).toEqual(['events', 'time_ms']);
  expect(Number.isInteger(request.body.time_ms)).toBe(true);
  expect(Math.abs(request.body.time_ms - Date.now())).toBeLessThan(60_000);
  expect(Array.isArray(request.body.events)).toBe(true);
}

/** A node whose one app posts `hooks` (each given the receiver's url) to a fresh {@link WebhookReceiver}. */
export async function startWithWebhooks(
  hooks: Array<Record<string, unknown>> | ((url: string) => Array<Record<string, unknown>>),
  webhooks: Record<string, unknown> = PLAIN,
  respond?: (index: number) => number,
) {
  const receiver = await WebhookReceiver.start(respond);
  const app = featureApp({
    enable_client_messages: true,
    webhooks:
      typeof hooks === 'function' ? hooks(receiver.url) : hooks.map((h) => ({ url: receiver.url, ...h })),
  });
  const node = await startServer({ apps: [app], webhooks });
  return { receiver, app, node, backend: node.backend() };
}

let controlCounter = 0;
/** Subscribes `client` to a fresh public channel and waits for its channel_occupied at `receiver`. */
export async function control(
  client: RawClient,
  receiver: WebhookReceiver,
  prefix = 'control',
): Promise<void> {
  controlCounter += 1;
  const channel = `${prefix}-${controlCounter}`;
  await client.subscribe(channel);
  await receiver.waitForEvent('channel_occupied', channel);
}
