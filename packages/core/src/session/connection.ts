// One Pusher connection: parses each inbound frame once, answers protocol errors with Pusher's codes,
// and owns its subscriptions, heartbeat and client-event budget. Kept lean: it is multiplied by every
// connected client.

import {
  canonicalEventName,
  ErrorCode,
  isClientEvent,
  isPresenceChannel,
  isPrivateChannel,
  PusherEvent,
  type PusherMessage,
} from '@sockudo/protocol';
import type { SocketHandle } from '../adapter/adapter.js';
import type { App } from '../apps/app.js';
import { subscribe, unsubscribe } from '../channels/channel-router.js';
import { Subscriptions } from '../channels/subscriptions.js';
import { DELTA_SYNC_ERROR, ENABLE_DELTA_COMPRESSION } from '../delta/delta-frames.js';
import type { SocketDelta } from '../delta/socket-delta.js';
import type { EngineContext } from '../engine/engine-context.js';
import { HistoryWriteError, publishWithHistory } from '../history/history-publisher.js';
import { ReplayGate } from '../history/replay-gate.js';
import { holdResumedChannels, RESUME_EVENT, resume } from '../history/resume.js';
import { appLabels } from '../metrics/metric-labels.js';
import type { MetricLabels } from '../spec/v1/index.js';
import type { WireSocket, WireSocketListener } from '../websocket/wire-socket.js';
import type { TagPredicate } from '../wire/frame-tags.js';
import { errorFrame, eventFrame, rawChannelEventFrame, sharedTextFrame } from '../wire/frames.js';
import { v2Frame, withMessageId } from '../wire/v2-frames.js';
import { corkForThisTurn } from '../wire/write-batch.js';
import { applySubscriptionDelta, deltaSyncError, enableDeltaCompression } from './delta-requests.js';
import type { Heartbeat } from './heartbeat-sweep.js';
import type { SessionSocket } from './session-socket.js';
import { signin, signout } from './user-authentication.js';
import { PUSHER_WIRE, type WireOptions } from './wire-options.js';

const PONG = eventFrame(PusherEvent.Pong, {});
const PING = eventFrame(PusherEvent.Ping, {});
const NO_WATCHLIST: readonly string[] = Object.freeze([]);
/** `pingSentAt` / `authDeadline` when no such deadline is running. */
const NONE = -1;

/**
 * A connected client: the {@link SessionSocket} its handlers (channel router, sign-in) act on, and the
 * {@link SocketHandle} the adapter delivers to.
 */
export class Connection implements SessionSocket, WireSocketListener, Heartbeat {
  readonly appId: string;
  userId: string | undefined = undefined;
  /** Subscribed channels → the presence user id the socket joined with (undefined elsewhere). */
  readonly channels = new Subscriptions();
  /** The heartbeat clock's tick of the last inbound activity. */
  private lastSeen: number;
  /** The tick the server's ping went out, while it waits for any reply. */
  private pingSentAt = NONE;
  /** The tick by which an app that requires sign-in must have seen one. */
  private authDeadline = NONE;
  private closed = false;
  /** Serialises subscribe/unsubscribe so a quick subscribe→unsubscribe cannot reorder. */
  private pending: Promise<void> | undefined;
  /** Tasks queued on `pending`; while non-zero, client events queue behind them too. */
  private inFlight = 0;
  /** Corked for the current event-loop turn (see wire/write-batch.ts). */
  corked = false;
  private clientEventWindowStart = 0;
  private clientEventCount = 0;
  /** User ids this socket watches (after sign-in with a watchlist). */
  watchlist: readonly string[] = NO_WATCHLIST;
  /** The app's shared metric labels: per-frame reports allocate nothing. */
  private readonly labels: MetricLabels;
  /** 2 for Sockudo's V2 wire (`?protocol=2`): protocol events are sent as `sockudo:…`. */
  readonly protocol: 1 | 2;
  /** V2: whether this socket receives its own client events (`echo_messages`). */
  readonly echoMessages: boolean;
  /** V2: channel → the application events its subscription lets through (`filter.events`). */
  private eventFilters: Map<string, ReadonlySet<string>> | undefined = undefined;
  /** V2: channel → the tag filter its subscription applies (`filter`, with tag filtering enabled). */
  private tagFilters: Map<string, TagPredicate> | undefined = undefined;
  /** V2, after `enable_delta_compression` or a subscription's `delta`: the socket's delta state. */
  delta: SocketDelta | undefined = undefined;
  /** While a resume replays: the live messages of its channels, held until the replay is out. */
  private gate: ReplayGate | undefined = undefined;

  constructor(
    readonly id: string,
    private readonly ws: WireSocket,
    readonly app: App,
    private readonly ctx: EngineContext,
    wire: WireOptions = PUSHER_WIRE,
  ) {
    this.appId = app.id;
    this.protocol = wire.protocol;
    this.echoMessages = wire.echoMessages;
    this.labels = appLabels(app.id);
    const { clock } = ctx;
    this.lastSeen = clock.tick;
    if (app.enableUserAuthentication) {
      this.authDeadline = clock.tick + clock.ticksIn(ctx.userAuthenticationTimeoutMs);
    }
    ws.listen(this);
  }

  /** Records a successful `pusher:signin`. */
  signedIn(userId: string): void {
    this.userId = userId;
    this.authDeadline = NONE;
  }

  /** @internal The channel router's: sets or (with undefined) lifts `channel`'s event-name filter. */
  filterEvents(channel: string, events: ReadonlySet<string> | undefined): void {
    if (events) {
      this.eventFilters ??= new Map();
      this.eventFilters.set(channel, events);
    } else this.eventFilters?.delete(channel);
  }

  /** @internal The channel router's: a V2 subscription's `delta` setting. */
  subscriptionDelta(channel: string, setting: unknown): void {
    applySubscriptionDelta(this, this.ctx.extensions.deltaCompression, channel, setting);
  }

  /** Whether an application event `event` on `channel` passes this socket's filter (the adapter asks V2 sockets). */
  acceptsEvent(channel: string, event: string): boolean {
    return this.eventFilters?.get(channel)?.has(event) ?? true;
  }

  /** @internal The channel router's: sets or (with undefined) lifts `channel`'s tag filter. */
  filterTags(channel: string, filter: TagPredicate | undefined): void {
    if (filter) {
      this.tagFilters ??= new Map();
      this.tagFilters.set(channel, filter);
    } else this.tagFilters?.delete(channel);
  }

  /** The tag filter on `channel`, if any (the adapter asks V2 sockets). */
  tagFilter(channel: string): TagPredicate | undefined {
    return this.tagFilters?.get(channel);
  }

  /** Sends `connection_established` and registers with the adapter. */
  open(): void {
    this.ctx.adapter.addSocket(this);
    this.send(
      eventFrame(PusherEvent.ConnectionEstablished, {
        socket_id: this.id,
        activity_timeout: this.ctx.activityTimeout,
      }),
    );
  }

  /**
   * Queues a frame. A Buffer is a fan-out's payload shared by many sockets, which the adapter counts once
   * per fan-out; a string is a frame for this socket alone, counted here.
   */
  send(frame: string | Buffer): void {
    if (this.gate !== undefined && typeof frame !== 'string' && this.gate.offer(frame)) return;
    this.deliver(frame);
  }

  /** @internal A resume's: this socket's gate, made on first use. */
  replayGate(): ReplayGate {
    this.gate ??= new ReplayGate();
    return this.gate;
  }

  /** @internal */
  dropReplayGate(): void {
    this.gate = undefined;
  }

  /** Lets go of every held channel (a subscribe with a rewind failed half-way). */
  private releaseHeld(): void {
    const gate = this.gate;
    if (!gate) return;
    this.gate = undefined;
    for (const payload of gate.releaseAll()) this.deliver(payload);
  }

  /** @internal A resume's: a payload in this socket's wire form, sent past the gate. */
  sendPast(payload: Buffer): void {
    this.deliver(payload);
  }

  private deliver(frame: string | Buffer): void {
    if (this.closed) return;
    // A Buffer is already in this socket's form (the adapter makes one per wire); a string is built for
    // the Pusher wire, and made V2 here (renamed, with Rust Sockudo's per-message `message_id`).
    if (this.protocol === 2 && typeof frame === 'string') {
      frame = frame === PING || frame === PONG ? v2Frame(frame) : withMessageId(v2Frame(frame));
    }
    const ws = this.ws;
    // A client that cannot keep up is dropped rather than buffered without bound.
    if (ws.bufferedAmount > this.ctx.maxSocketBufferBytes) {
      this.ctx.metrics.increment('slow_consumers_closed_total', this.labels);
      this.close(ErrorCode.OverCapacity, 'Client too slow: send buffer full');
      return;
    }
    const stream = ws.stream;
    if (!ws.isOpen || stream === undefined) return;
    // This turn's frames leave together.
    if (!this.corked) corkForThisTurn(this, stream);
    if (typeof frame !== 'string') {
      // A fan-out's shared payload: framed once for all recipients and written straight to the socket,
      // one buffered chunk and no allocation per recipient. Safe because no engine compresses
      // (permessage-deflate is off), so whatever else the engine writes (pongs, close frames) reaches
      // the socket in call order with these; the bytes count in bufferedAmount, which reads the socket.
      stream.write(sharedTextFrame(frame));
      return;
    }
    ws.sendText(frame);
    this.ctx.metrics.increment('ws_messages_sent_total', this.labels);
    this.ctx.metrics.increment('socket_transmitted_bytes', this.labels, Buffer.byteLength(frame));
  }

  /** Non-fatal protocol error: the socket stays open. */
  sendError(code: number | null, message: string, channel?: string): void {
    this.send(errorFrame(code, message, channel));
  }

  /** Sends `pusher:error` with `code`, then closes with the same code. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      const frame = errorFrame(code, reason);
      this.ws.sendText(this.protocol === 2 ? withMessageId(v2Frame(frame)) : frame);
      this.ws.close(code, reason.slice(0, 120)); // a close reason must fit in 123 bytes
    } catch {
      this.ws.terminate();
    }
  }

  /** @internal Inbound activity: resets the heartbeat. */
  touch(): void {
    this.lastSeen = this.ctx.clock.tick;
    this.pingSentAt = NONE;
  }

  /** @internal A pong frame counts as activity. */
  onPong(): void {
    this.touch();
  }

  /** @internal Called by the heartbeat sweep each tick: acts on whichever deadline has passed. */
  heartbeat(now: number, idleTicks: number, pongTicks: number): void {
    if (this.closed) return;
    if (this.authDeadline !== NONE && now - this.authDeadline > 0) {
      this.close(ErrorCode.Unauthorized, 'Connection not authorized within timeout');
    } else if (this.pingSentAt !== NONE) {
      if (now - this.pingSentAt > pongTicks)
        this.close(ErrorCode.PongNotReceived, 'Pong reply not received in time');
    } else if (now - this.lastSeen > idleTicks) {
      this.pingSentAt = now;
      this.send(PING);
    }
  }

  /** @internal */
  onError(error: Error): void {
    this.ctx.logger.debug('socket error', { socketId: this.id, error: error.message });
  }

  /** @internal */
  onMessage(data: Buffer, isBinary: boolean): void {
    this.touch();
    this.ctx.metrics.increment('ws_messages_received_total', this.labels);
    this.ctx.metrics.increment('socket_received_bytes', this.labels, data.length);
    if (isBinary) {
      this.sendError(ErrorCode.GenericError, 'Binary frames are not supported; send JSON text frames');
      return;
    }
    if (data.length > this.ctx.maxPayloadBytes) {
      this.sendError(
        ErrorCode.GenericError,
        `Message of ${data.length} bytes exceeds the limit of ${this.ctx.maxPayloadBytes} bytes`,
      );
      return;
    }
    let message: PusherMessage;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      this.sendError(ErrorCode.GenericError, 'Invalid JSON: every message must be a JSON object');
      return;
    }
    if (typeof message !== 'object' || message === null || typeof message.event !== 'string') {
      this.sendError(ErrorCode.GenericError, 'Invalid message: expected an object with a string "event"');
      return;
    }
    // Either prefix, from either wire, as Rust Sockudo accepts them (`sockudo:subscribe`).
    switch (canonicalEventName(message.event)) {
      case PusherEvent.Ping:
        this.send(PONG);
        return;
      case PusherEvent.Pong:
        return;
      case PusherEvent.Subscribe:
        this.serialise(() => subscribe(this, this.ctx, message.data));
        return;
      case PusherEvent.Unsubscribe:
        this.serialise(() => unsubscribe(this, this.ctx, message.data));
        return;
      case PusherEvent.Signin:
        this.serialise(() => signin(this, this.ctx, message.data));
        return;
      case ENABLE_DELTA_COMPRESSION:
        enableDeltaCompression(this, this.ctx.extensions.deltaCompression, message.data);
        return;
      case DELTA_SYNC_ERROR:
        deltaSyncError(this, message.data);
        return;
      case RESUME_EVENT:
        holdResumedChannels(this, message.data);
        this.serialise(() => resume(this, this.ctx, message.data));
        return;
      default:
        if (!isClientEvent(message.event)) {
          this.ctx.logger.debug('ignored unknown event', { socketId: this.id, event: message.event });
        } else if (this.inFlight > 0) {
          // Behind a subscribe still in progress: keep the socket's messages in the order it sent them.
          this.serialise(async () => this.onClientEvent(message));
        } else {
          this.onClientEvent(message);
        }
    }
  }

  private serialise(task: () => Promise<void>): void {
    this.inFlight++;
    this.pending = (this.pending ?? Promise.resolve())
      .then(task)
      .catch((error: unknown) => {
        this.ctx.logger.error('message handler failed', { socketId: this.id, error: String(error) });
        this.releaseHeld();
        this.sendError(ErrorCode.GenericError, 'Internal error while handling the message');
      })
      .finally(() => {
        // Idle sockets hold no promise: the chain exists only while something is queued.
        if (--this.inFlight === 0) this.pending = undefined;
      });
  }

  private onClientEvent(message: PusherMessage): void {
    const { app } = this;
    const channel = message.channel;
    if (!app.enableClientMessages) {
      this.sendError(ErrorCode.ClientEventRejected, 'Client events are not enabled for this app', channel);
      return;
    }
    if (typeof channel !== 'string' || !(isPrivateChannel(channel) || isPresenceChannel(channel))) {
      this.sendError(
        ErrorCode.ClientEventRejected,
        'Client events are only allowed on private and presence channels',
        channel,
      );
      return;
    }
    if (!this.channels.has(channel)) {
      this.sendError(ErrorCode.ClientEventRejected, `Not subscribed to channel ${channel}`, channel);
      return;
    }
    if (message.event.length > app.maxEventNameLength) {
      this.sendError(
        ErrorCode.ClientEventRejected,
        `Event name is longer than ${app.maxEventNameLength} characters`,
        channel,
      );
      return;
    }
    const data = JSON.stringify(message.data ?? null);
    if (Buffer.byteLength(data) > app.maxEventPayloadInKb * 1024) {
      this.sendError(
        ErrorCode.ClientEventRejected,
        `Event data exceeds ${app.maxEventPayloadInKb} KB`,
        channel,
      );
      return;
    }
    if (app.maxClientEventsPerSecond > 0 && !this.takeClientEventToken(app.maxClientEventsPerSecond)) {
      if (app.terminateOnLimit) this.close(ErrorCode.ClientEventRejected, 'Client event rate limit exceeded');
      else this.sendError(ErrorCode.ClientEventRejected, 'Client event rate limit exceeded', channel);
      return;
    }
    const userId = this.channels.get(channel);
    // Client data is forwarded as the client sent it (object or string): pusher-js accepts both.
    const frame = rawChannelEventFrame(message.event, channel, data, userId);
    // A V2 socket with echo_messages (Rust Sockudo's default) gets its own event back; Pusher never echoes.
    const except = this.protocol === 2 && this.echoMessages ? undefined : this.id;
    // With history or connection recovery on, the store assigns the serial first (history/).
    publishWithHistory(this.ctx, app, channel, frame, message.event, false, (framed) =>
      this.ctx.adapter.broadcast(this.appId, channel, framed, except),
    ).catch((error: unknown) => {
      const stored = HistoryWriteError.isInstance(error);
      this.ctx.logger.error(stored ? 'history append failed' : 'client event broadcast failed', {
        appId: app.id,
        channel,
        error: String(stored ? error.cause : error),
      });
      if (stored)
        this.sendError(ErrorCode.GenericError, 'Failed to store the client event in history', channel);
    });
    this.ctx.webhooks.emit(app, {
      name: 'client_event',
      channel,
      event: message.event,
      data: typeof message.data === 'string' ? message.data : data,
      socket_id: this.id,
      ...(userId === undefined ? {} : { user_id: userId }),
    });
  }

  private takeClientEventToken(limit: number): boolean {
    const now = Date.now();
    if (now - this.clientEventWindowStart >= 1000) {
      this.clientEventWindowStart = now;
      this.clientEventCount = 0;
    }
    return ++this.clientEventCount <= limit;
  }

  /** @internal */
  onClose(code: number): void {
    this.ctx.metrics.increment('new_disconnections_total', { appId: this.appId, code });
    this.closed = true;
    // Leave after any in-flight subscribe so a racing join is undone too.
    this.pending = (this.pending ?? Promise.resolve())
      .then(async () => {
        for (const channel of this.channels.channels()) await unsubscribe(this, this.ctx, { channel });
        await signout(this, this.ctx);
        this.ctx.adapter.removeSocket(this);
      })
      .catch((error: unknown) =>
        this.ctx.logger.error('cleanup failed', { socketId: this.id, error: String(error) }),
      );
  }

  /** Drops the connection at once, without a close handshake (a shutdown's last resort). */
  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }

  /** True once the socket is closing or closed. */
  get isClosed(): boolean {
    return this.closed;
  }
}
