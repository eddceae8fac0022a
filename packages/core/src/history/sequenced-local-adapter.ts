// Gap-free delivery on one node: the local adapter, seeing every message of a channel with history
// that reaches this node's sockets (published here or arriving from the broker), delivers them in
// serial order, once. A serial that jumps ahead (the broker dropped messages, or another node's
// publish arrived first) makes it read the missing range from the history store and deliver it first;
// a serial already delivered is dropped.

import { LocalAdapter, type LocalAdapterOptions } from '../adapter/local-adapter.js';
import { appLabels } from '../metrics/metric-labels.js';
import { noopMetrics } from '../metrics/noop-metrics.js';
import type { HistoryStoreV1, MetricsV1 } from '../spec/v1/index.js';
import type { Logger } from '../util/logger.js';
import { hasExtras, v2FieldsOf } from '../wire/v2-frames.js';
import { deliveredFrame } from './history-publisher.js';

interface ChannelSequence {
  streamId: string;
  /** The last serial delivered to this node's sockets. */
  last: number;
  /** While a gap is being filled: later messages wait behind it. */
  pending: Promise<void> | undefined;
}

/** Options of {@link SequencedLocalAdapter}. */
export interface SequencedLocalAdapterOptions extends LocalAdapterOptions {
  history: HistoryStoreV1;
  logger: Logger;
  /** Most missing messages read from the store for one gap; a longer gap is skipped. @default 1000 */
  maxFill?: number;
}

/** The position a frame carries (`stream_id`, `serial` in its V2 lead), if any. */
function positionOf(frame: string): { streamId: string; serial: number } | undefined {
  if (!hasExtras(frame)) return undefined;
  const fields = v2FieldsOf(frame);
  const serial = Number(fields.get('serial'));
  const streamId = fields.get('stream_id');
  if (!Number.isSafeInteger(serial) || streamId === undefined) return undefined;
  return { streamId: JSON.parse(streamId) as string, serial };
}

export class SequencedLocalAdapter extends LocalAdapter {
  private readonly sequences = new Map<string, ChannelSequence>();
  private readonly history: HistoryStoreV1;
  private readonly logger: Logger;
  private readonly counters: MetricsV1;
  private readonly maxFill: number;

  constructor(options: SequencedLocalAdapterOptions) {
    super(options);
    this.history = options.history;
    this.logger = options.logger;
    this.counters = options.metrics ?? noopMetrics;
    this.maxFill = options.maxFill ?? 1000;
  }

  override broadcast(appId: string, channel: string, frame: string, exceptSocketId?: string): Promise<void> {
    const position = positionOf(frame);
    if (position === undefined || !this.hasChannel(appId, channel)) {
      return super.broadcast(appId, channel, frame, exceptSocketId);
    }
    const key = `${appId}\u0000${channel}`;
    let sequence = this.sequences.get(key);
    if (sequence === undefined || sequence.streamId !== position.streamId) {
      // The first message this node sees of the stream: its sockets start here.
      sequence = { streamId: position.streamId, last: position.serial - 1, pending: undefined };
      this.sequences.set(key, sequence);
    }
    const current = sequence;
    if (current.pending) {
      const next = current.pending.then(() =>
        this.deliverInOrder(current, appId, channel, frame, position.serial, exceptSocketId),
      );
      current.pending = next;
      void next.then(() => {
        if (current.pending === next) current.pending = undefined;
      });
      return next;
    }
    return this.deliverInOrder(current, appId, channel, frame, position.serial, exceptSocketId);
  }

  private deliverInOrder(
    sequence: ChannelSequence,
    appId: string,
    channel: string,
    frame: string,
    serial: number,
    exceptSocketId: string | undefined,
  ): Promise<void> {
    if (serial <= sequence.last) return Promise.resolve(); // delivered already (filled from the store)
    if (serial === sequence.last + 1) {
      sequence.last = serial;
      return super.broadcast(appId, channel, frame, exceptSocketId);
    }
    const fill = this.fill(sequence, appId, channel, serial).then(() => {
      if (serial <= sequence.last) return;
      sequence.last = serial;
      return super.broadcast(appId, channel, frame, exceptSocketId);
    });
    sequence.pending = fill;
    void fill.then(() => {
      if (sequence.pending === fill) sequence.pending = undefined;
    });
    return fill;
  }

  /** Delivers serials `last + 1 .. before - 1` from the store. */
  private async fill(
    sequence: ChannelSequence,
    appId: string,
    channel: string,
    before: number,
  ): Promise<void> {
    const labels = appLabels(appId);
    const missing = before - sequence.last - 1;
    this.counters.increment('history_gaps_detected_total', labels);
    if (missing > this.maxFill) {
      this.logger.warn('gap too long to fill from history', { appId, channel, missing });
      return;
    }
    let cursor: { streamId: string; serial: number } | undefined;
    try {
      for (;;) {
        const page = await this.history.readPage({
          appId,
          channel,
          direction: 'oldest_first',
          limit: Math.min(missing, 100),
          cursor,
          bounds: { startSerial: sequence.last + 1, endSerial: before - 1 },
        });
        for (const item of page.items) {
          if (item.streamId !== sequence.streamId || item.serial !== sequence.last + 1) continue;
          sequence.last = item.serial;
          this.counters.increment('history_gap_messages_filled_total', labels);
          await super.broadcast(appId, channel, deliveredFrame(item));
        }
        if (!page.hasMore || page.nextCursor === undefined) return;
        cursor = page.nextCursor;
      }
    } catch (error) {
      this.logger.warn('could not fill a gap from history', { appId, channel, error: String(error) });
    }
  }

  /** Reads, for every channel this node sequences, what was published since its last serial. */
  override brokerRestored(): void {
    for (const [key, sequence] of this.sequences) {
      const [appId, channel] = key.split('\u0000') as [string, string];
      const catchUp = (sequence.pending ?? Promise.resolve()).then(async () => {
        try {
          const state = await this.history.state(appId, channel);
          if (
            state.streamId === sequence.streamId &&
            state.newestSerial !== undefined &&
            state.newestSerial > sequence.last
          ) {
            await this.fill(sequence, appId, channel, state.newestSerial + 1);
          }
        } catch (error) {
          this.logger.warn('could not catch up after a broker reconnect', {
            appId,
            channel,
            error: String(error),
          });
        }
      });
      sequence.pending = catchUp;
      void catchUp.then(() => {
        if (sequence.pending === catchUp) sequence.pending = undefined;
      });
    }
  }

  override async leave(...args: Parameters<LocalAdapter['leave']>): ReturnType<LocalAdapter['leave']> {
    const result = await super.leave(...args);
    if (result.channelVacated) this.sequences.delete(`${args[0].appId}\u0000${args[1]}`);
    return result;
  }
}
