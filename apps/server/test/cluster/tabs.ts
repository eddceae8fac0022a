// The clients of the cluster tests: real pusher-js connections ("browser tabs") that record every
// message, and barriers that wait until everything published before them has arrived.

import PusherJs, {
  type ChannelAuthorizationHandler,
  type Options as PusherJsOptions,
  type UserAuthenticationHandler,
} from 'pusher-js';
import type { SockudoNode } from './nodes.js';
import { uid, WAIT_MS, withTimeout } from './waits.js';

/** One message as pusher-js decoded it (`data` is parsed JSON where it was JSON). */
export interface Message {
  event: string;
  channel?: string;
  data?: any;
  user_id?: string;
}

export type MessageTest = (message: Message) => boolean;

/** `event` (on `channel`, when given). */
export function is(event: string, channel?: string, test: (data: any) => boolean = () => true): MessageTest {
  return (m) => m.event === event && (channel === undefined || m.channel === channel) && test(m.data);
}

export interface TabOptions {
  /** The presence identity the channel authorizer signs. */
  member?: { user_id: string; user_info?: Record<string, unknown> };
  /** The user that `signin()` authenticates as. */
  user?: { id: string; user_info?: Record<string, unknown> };
  /** Another host/port to connect to (e.g. a load balancer) instead of the node's. */
  port?: number;
}

/**
 * A pusher-js client ("a browser tab") connected to one node, which records every message it receives.
 * Channel and user authentication are signed by the node's Pusher SDK client (`authorizeChannel`,
 * `authenticateUser`) in pusher-js's `customHandler`s.
 */
export class Tab {
  readonly pusher: PusherJs;
  readonly messages: Message[] = [];
  readonly states: string[] = [];
  /** Close codes and `pusher:error` codes pusher-js reported. */
  readonly errors: Array<{ code: number | null; message: string }> = [];
  private waiters: Array<{ test: MessageTest; resolve: (m: Message) => void }> = [];

  constructor(
    readonly name: string,
    readonly node: SockudoNode,
    options: TabOptions = {},
  ) {
    const backend = node.backend;
    this.pusher = new PusherJs(node.app.key, {
      wsHost: '127.0.0.1',
      wsPort: options.port ?? node.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      cluster: 'mt1',
      channelAuthorization: {
        customHandler: (({ socketId, channelName }, callback) => {
          try {
            const member = channelName.startsWith('presence-') ? options.member : undefined;
            if (channelName.startsWith('presence-') && !member)
              throw new Error(`${name} has no presence identity`);
            callback(null, backend.authorizeChannel(socketId, channelName, member));
          } catch (error) {
            callback(error as Error, null);
          }
        }) satisfies ChannelAuthorizationHandler,
      },
      userAuthentication: {
        customHandler: (({ socketId }, callback) => {
          try {
            if (!options.user) throw new Error(`${name} has no user to sign in as`);
            callback(null, backend.authenticateUser(socketId, options.user));
          } catch (error) {
            callback(error as Error, null);
          }
        }) satisfies UserAuthenticationHandler,
      },
      // pusher-js's types require endpoint/transport even when a customHandler replaces them.
    } as unknown as PusherJsOptions);
    this.pusher.connection.bind('message', (message: Message) => {
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
    this.pusher.connection.bind('state_change', ({ current }: { current: string }) =>
      this.states.push(current),
    );
    this.pusher.connection.bind(
      'error',
      (error: { type?: string; data?: { code: number | null; message: string } }) => {
        if (error?.type === 'PusherError' && error.data) this.errors.push(error.data);
      },
    );
  }

  /** Opens a tab and waits until pusher-js is connected. */
  static async open(name: string, node: SockudoNode, options: TabOptions = {}): Promise<Tab> {
    const tab = new Tab(name, node, options);
    await tab.connected();
    return tab;
  }

  get socketId(): string {
    return this.pusher.connection.socket_id;
  }

  get state(): string {
    return this.pusher.connection.state;
  }

  connected(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => {
        const onChange = ({ current }: { current: string }) => {
          if (current !== 'connected') return;
          this.pusher.connection.unbind('state_change', onChange);
          resolve();
        };
        this.pusher.connection.bind('state_change', onChange);
      }),
      `${this.name} (on ${this.node.name}) to connect`,
    );
  }

  /** Subscribes and waits for `pusher_internal:subscription_succeeded`; resolves with its data. */
  async subscribe(channel: string): Promise<any> {
    const from = this.messages.length;
    const errors: unknown[] = [];
    const subscription = this.pusher.subscribe(channel);
    subscription.bind('pusher:subscription_error', (error: unknown) => errors.push(error));
    const reply = await this.waitFor(
      (m) =>
        m.channel === channel &&
        (m.event === 'pusher_internal:subscription_succeeded' || m.event === 'pusher:subscription_error'),
      `${this.name}: subscription to ${channel}`,
      { from },
    ).catch((error: Error) => {
      throw new Error(`${error.message}${errors.length ? ` (errors: ${JSON.stringify(errors)})` : ''}`);
    });
    if (reply.event !== 'pusher_internal:subscription_succeeded') {
      throw new Error(`${this.name}: subscribing to ${channel} failed: ${JSON.stringify(reply)}`);
    }
    return reply.data;
  }

  /** Signs in (`pusher.signin()`) and waits for `pusher:signin_success`. */
  async signin(): Promise<void> {
    const from = this.messages.length;
    this.pusher.signin();
    await this.waitFor(is('pusher:signin_success'), `${this.name}: pusher:signin_success`, { from });
  }

  /** Sends a client event on a subscribed private or presence channel. */
  trigger(channel: string, event: string, data: unknown): void {
    const subscription = this.pusher.channel(channel);
    if (!subscription) throw new Error(`${this.name} is not subscribed to ${channel}`);
    if (!subscription.trigger(event, data)) throw new Error(`${this.name} could not send ${event}`);
  }

  /** The first message matching `test` (at index `from` or later), waiting for it if needed. */
  waitFor(
    test: MessageTest,
    what: string,
    { from = 0, timeoutMs = WAIT_MS }: { from?: number; timeoutMs?: number } = {},
  ): Promise<Message> {
    const seen = this.messages.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    const arrived = new Promise<Message>((resolve) => {
      this.waiters.push({ test: (m) => this.messages.indexOf(m) >= from && test(m), resolve });
    });
    return withTimeout(
      arrived,
      `${what} at ${this.name} on ${this.node.name} (got: ${this.messages.map((m) => m.event).join(', ')})`,
      timeoutMs,
    );
  }

  /** Every message so far that matches `test`. */
  all(test: MessageTest): Message[] {
    return this.messages.filter(test);
  }

  /** Resolves once pusher-js leaves the connected state, with the last error code it reported. */
  disconnection(timeoutMs = WAIT_MS): Promise<{ state: string; code?: number | null }> {
    const lastCode = () => this.errors.at(-1)?.code;
    if (this.state !== 'connected' && this.state !== 'connecting' && this.state !== 'initialized') {
      return Promise.resolve({ state: this.state, code: lastCode() });
    }
    return withTimeout(
      new Promise((resolve) => {
        const onChange = ({ current }: { current: string }) => {
          if (current === 'connected' || current === 'connecting') return;
          this.pusher.connection.unbind('state_change', onChange);
          resolve({ state: current, code: lastCode() });
        };
        this.pusher.connection.bind('state_change', onChange);
      }),
      `${this.name} (on ${this.node.name}) to be disconnected`,
      timeoutMs,
    );
  }

  close(): void {
    this.pusher.disconnect();
  }
}

/** Tabs opened by one test, closed together. */
export class Tabs {
  private readonly open: Tab[] = [];

  async add(name: string, node: SockudoNode, options: TabOptions = {}): Promise<Tab> {
    const tab = new Tab(name, node, options);
    this.open.push(tab);
    await tab.connected();
    return tab;
  }

  closeAll(): void {
    for (const tab of this.open.splice(0)) tab.close();
  }
}

/**
 * A barrier: triggers one marker event on `channel` through each of `through`, and waits until every tab
 * in `tabs` received all of them. Each node publishes to the broker in order, so once a marker from a
 * node has arrived everywhere, so has everything that node published before it.
 */
export async function flush(channel: string, through: SockudoNode[], tabs: Tab[]): Promise<void> {
  const id = uid();
  for (const node of through) await node.backend.trigger(channel, 'test-barrier', { id, node: node.name });
  await Promise.all(
    tabs.flatMap((tab) =>
      through.map((node) =>
        tab.waitFor(
          is('test-barrier', channel, (d) => d?.id === id && d?.node === node.name),
          `the barrier through ${node.name} on ${channel}`,
        ),
      ),
    ),
  );
}

/** Like {@link flush}, over `sendToUser` to `userId` (for tabs signed in as that user). */
export async function flushUser(userId: string, through: SockudoNode[], tabs: Tab[]): Promise<void> {
  const id = uid();
  for (const node of through) await node.backend.sendToUser(userId, 'test-barrier', { id, node: node.name });
  await Promise.all(
    tabs.flatMap((tab) =>
      through.map((node) =>
        tab.waitFor(
          is('test-barrier', `#server-to-user-${userId}`, (d) => d?.id === id && d?.node === node.name),
          `the user barrier through ${node.name}`,
        ),
      ),
    ),
  );
}
