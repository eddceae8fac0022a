// A minimal Redis client for reading a broker's counters (INFO, CLUSTER NODES): one connection, one
// command at a time, RESP2 replies. The bench needs no more, and a driver client would add a dependency.
import { connect, type Socket } from 'node:net';
import { BenchError, describeError } from './bench-error.js';

/** A RESP2 reply: simple or bulk string, integer, nil, or an array of replies. */
export type RedisReply = string | number | null | RedisReply[];

interface Pending {
  resolve(reply: RedisReply): void;
  reject(error: Error): void;
}

/** One connection to one Redis node. */
export class RedisCommandConnection {
  /** Bytes received on this connection so far (replies are part of the server's output counter). */
  receivedBytes = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.receivedBytes += chunk.length;
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    socket.on('error', (error) => this.fail(new BenchError(`redis ${address}: ${describeError(error)}`)));
    socket.on('close', () => this.fail(new BenchError(`redis ${address}: connection closed`)));
  }

  /** Connects to `redis://[user:password@]host:port[/db]` (AUTH is sent when the URL has a password). */
  static async open(url: string, timeoutMs = 5000): Promise<RedisCommandConnection> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(target.port || 6379);
    const address = `${host}:${port}`;
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', (error) =>
        reject(new BenchError(`cannot connect to redis ${address}: ${describeError(error)}`)),
      );
      socket.once('timeout', () => {
        socket.destroy();
        reject(new BenchError(`cannot connect to redis ${address}: no answer within ${timeoutMs} ms`));
      });
    });
    socket.setTimeout(0);
    const connection = new RedisCommandConnection(socket, address);
    if (target.password !== '') {
      const user = decodeURIComponent(target.username);
      const password = decodeURIComponent(target.password);
      await connection.command(...(user === '' ? ['AUTH', password] : ['AUTH', user, password]));
    }
    return connection;
  }

  /** Sends one command; resolves with its reply, rejects on an error reply. */
  command(...args: string[]): Promise<RedisReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  /** Closes the connection. */
  close(): void {
    this.failure ??= new BenchError(`redis ${this.address}: closed`);
    this.socket.destroy();
  }

  private drain(): void {
    while (this.pending.length > 0) {
      const parsed = parseReply(this.buffer, 0);
      if (parsed === undefined) return;
      this.buffer = this.buffer.subarray(parsed.end);
      const pending = this.pending.shift()!;
      if (parsed.reply instanceof Error)
        pending.reject(new BenchError(`redis ${this.address}: ${parsed.reply.message}`));
      else pending.resolve(parsed.reply);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.splice(0)) pending.reject(this.failure);
  }
}

/** A command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

/** One reply starting at `offset`, with where it ends; `undefined` if it is not complete yet. */
export function parseReply(
  buffer: Buffer,
  offset: number,
): { reply: RedisReply | Error; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, end: next };
    case '-':
      return { reply: new Error(line), end: next };
    case ':':
      return { reply: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: RedisReply[] = [];
      let at = next;
      for (let index = 0; index < count; index++) {
        const item = parseReply(buffer, at);
        if (item === undefined) return undefined;
        if (item.reply instanceof Error) return { reply: item.reply, end: item.end };
        items.push(item.reply);
        at = item.end;
      }
      return { reply: items, end: at };
    }
    default:
      return { reply: new Error(`unexpected reply type ${JSON.stringify(type)}`), end: buffer.length };
  }
}

/** The `field:value` lines of an INFO reply, as a map. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** `calls` of one command in an INFO commandstats reply (`cmdstat_<name>:calls=N,…`), 0 if absent. */
export function commandCalls(info: Map<string, string>, name: string): number {
  const match = /(?:^|,)calls=(\d+)/.exec(info.get(`cmdstat_${name}`) ?? '');
  return match === null ? 0 : Number(match[1]);
}

/**
 * The masters that serve slots in a CLUSTER NODES reply, as `host:port` (without failed ones, and
 * without a node that is still a master with no slots, as a replica is for a moment while a cluster forms).
 */
export function clusterMasters(nodesReply: string): string[] {
  const masters: string[] = [];
  for (const line of nodesReply.split('\n')) {
    const [, address, flags, , , , , , ...slots] = line.split(' ');
    if (address === undefined || flags === undefined || slots.length === 0) continue;
    const flagList = flags.split(',');
    if (!flagList.includes('master') || flagList.some((flag) => flag.startsWith('fail'))) continue;
    masters.push(address.split('@')[0]!);
  }
  return masters.sort();
}
