// Publishing on a channel with history or connection recovery on: the message gets a `message_id`, is
// appended to the history store (which assigns the channel's serial atomically across the cluster),
// and is broadcast carrying `message_id`, `stream_id` and `serial` for V2 sockets (wire/v2-frames.ts:
// V1 sockets never see them). Publishes of one channel on one node are broadcast one after the other,
// so this node broadcasts a channel's messages in serial order.

import { randomUUID } from 'node:crypto';
import type { App } from '../apps/app.js';
import type { EngineContext } from '../engine/engine-context.js';
import { appLabels } from '../metrics/metric-labels.js';
import type { HistoryItem } from '../spec/v1/index.js';
import { SockudoError } from '../util/errors.js';
import { withV2Fields } from '../wire/v2-frames.js';
import { channelPolicy } from './channel-policy.js';

/** The history store did not take a message, so it was not published (Rust Sockudo fails the publish too). */
export class HistoryWriteError extends SockudoError {
  override name = 'HistoryWriteError';

  static override isInstance(error: unknown): error is HistoryWriteError {
    return SockudoError.isInstance(error) && error.name === 'HistoryWriteError';
  }
}

/** Per engine: the tail of each channel's queue of publishes. */
const queues = new WeakMap<EngineContext, Map<string, Promise<unknown>>>();

function queueOf(ctx: EngineContext): Map<string, Promise<unknown>> {
  let queue = queues.get(ctx);
  if (!queue) {
    queue = new Map();
    queues.set(ctx, queue);
  }
  return queue;
}

/** False when neither the server nor the app turns history or recovery on: the publish path's fast exit. */
function mayKeep(ctx: EngineContext, app: App): boolean {
  return (
    ctx.historySettings.enabled ||
    ctx.recoverySettings.enabled ||
    app.history !== undefined ||
    app.connectionRecovery !== undefined
  );
}

/** A stored message as it is delivered: the stored frame with its stream id and serial. */
export function deliveredFrame(item: Pick<HistoryItem, 'payload' | 'streamId' | 'serial'>): string {
  return withV2Fields(item.payload, {
    stream_id: JSON.stringify(item.streamId),
    serial: String(item.serial),
  });
}

/**
 * Publishes `frame` on `channel` through `broadcast`: as it is when the channel keeps no history and
 * the app has no connection recovery (or the message is ephemeral), else stored first and sent with
 * its position. Resolves once broadcast.
 * @throws HistoryWriteError when the store refuses or cannot be reached; nothing is broadcast then
 */
export function publishWithHistory(
  ctx: EngineContext,
  app: App,
  channel: string,
  frame: string,
  eventName: string,
  ephemeral: boolean,
  broadcast: (frame: string) => Promise<void>,
): Promise<void> {
  if (ephemeral || !mayKeep(ctx, app)) return broadcast(frame);
  const policy = channelPolicy(ctx, app, channel);
  if (!policy.history && !policy.recovery) return broadcast(frame);
  const queue = queueOf(ctx);
  const key = `${app.id}\u0000${channel}`;
  const previous = queue.get(key) ?? Promise.resolve();
  const messageId = randomUUID();
  const stored = withV2Fields(frame, { message_id: JSON.stringify(messageId) });
  const labels = appLabels(app.id);
  const append = async () => {
    const started = performance.now();
    try {
      const position = await ctx.history.append(
        app.id,
        channel,
        { payload: stored, eventName, messageId },
        policy.retention,
      );
      ctx.metrics.increment('history_writes_total', labels);
      ctx.metrics.observe('history_write_latency_ms', labels, performance.now() - started);
      return position;
    } catch (cause) {
      ctx.metrics.increment('history_write_failures_total', labels);
      throw new HistoryWriteError(`the history store did not store the message on ${channel}`, { cause });
    }
  };
  // A store that serialises appends in call order (Redis) takes them all at once, so a burst of
  // publishes costs one round trip and is broadcast in one turn (its frames corked together); the
  // broadcasts still follow one another in serial order. Other stores get one append at a time.
  const appended = ctx.history.orderedAppends ? append() : undefined;
  appended?.catch(() => {}); // awaited below; a failure is reported there
  const run = previous.then(async () => {
    const position = await (appended ?? append());
    await broadcast(deliveredFrame({ payload: stored, ...position }));
  });
  const tail = run.catch(() => {});
  queue.set(key, tail);
  void tail.then(() => {
    if (queue.get(key) === tail) queue.delete(key);
  });
  return run;
}
