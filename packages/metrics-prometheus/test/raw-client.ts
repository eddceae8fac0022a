// A raw `ws` Pusher client that records frames, for driving real traffic at a node.

import WebSocket from 'ws';

export interface Frame {
  event: string;
  channel?: string;
  data?: unknown;
}

export class RawClient {
  readonly frames: Frame[] = [];
  socketId = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects to `/app/{key}` and waits for `pusher:connection_established`. */
  static async connect(port: number, key: string): Promise<RawClient> {
    const client = new RawClient(new WebSocket(`ws://127.0.0.1:${port}/app/${key}?protocol=7`));
    const established = await client.next((f) => f.event === 'pusher:connection_established');
    client.socketId = (JSON.parse(established.data as string) as { socket_id: string }).socket_id;
    return client;
  }

  send(event: string, data: unknown): void {
    this.ws.send(JSON.stringify({ event, data }));
  }

  /** The first frame (already received or still to come) that matches. */
  next(test: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame arrived')), timeoutMs);
      const check = () => {
        const found = this.frames.find(test);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  async subscribe(channel: string, auth?: { auth: string; channel_data?: string }): Promise<void> {
    this.send('pusher:subscribe', { channel, ...auth });
    await this.next((f) => f.channel === channel && f.event === 'pusher_internal:subscription_succeeded');
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
