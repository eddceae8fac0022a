// The "backend": signed POST /apps/{id}/events requests over keep-alive connections.
import { Agent, request } from 'node:http';
import { signHttpRequest } from '@sockudo/protocol';
import { BenchError, describeError } from './bench-error.js';
import { httpApiUrl } from './endpoints.js';

/** Where to send triggers and with which credentials. */
export interface EventTriggerOptions {
  host: string;
  httpPort: number;
  appId: string;
  key: string;
  secret: string;
  /** Sockets the agent keeps open; requests beyond it queue in the agent. */
  maxSockets: number;
  /**
   * Per-request limit; a slower answer fails the run.
   * @default 10000
   */
  timeoutMs?: number;
}

/** The event name every benchmark trigger uses. */
export const BENCH_EVENT_NAME = 'bench';

/** Sends benchmark events through the server's HTTP API. */
export class EventTrigger {
  private readonly agent: Agent;
  private readonly path: string;
  private readonly batchPath: string;

  constructor(private readonly options: EventTriggerOptions) {
    // Keep-alive with a fixed socket count: a new TCP connection per trigger would measure the kernel.
    // The timeout lets node drop an idle socket a second before the server's announced keep-alive
    // timeout (node only heeds that hint when the agent has a timeout of its own).
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets, timeout: 60_000 });
    this.path = `/apps/${encodeURIComponent(options.appId)}/events`;
    this.batchPath = `/apps/${encodeURIComponent(options.appId)}/batch_events`;
  }

  /** Triggers `bench` on `channel` with `data` (a string); resolves on a 2xx answer, rejects otherwise. */
  trigger(channel: string, data: string): Promise<void> {
    return this.signedPost(this.path, JSON.stringify({ name: BENCH_EVENT_NAME, channel, data }));
  }

  /** Triggers `bench` once per entry in one `POST /batch_events` (Pusher allows 10 per request). */
  triggerBatch(events: readonly { channel: string; data: string }[]): Promise<void> {
    const batch = events.map(({ channel, data }) => ({ name: BENCH_EVENT_NAME, channel, data }));
    return this.signedPost(this.batchPath, JSON.stringify({ batch }));
  }

  /** Closes the kept-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private signedPost(path: string, body: string): Promise<void> {
    const params = signHttpRequest({
      key: this.options.key,
      secret: this.options.secret,
      method: 'POST',
      path,
      body,
    });
    const query = Object.entries(params)
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
      .join('&');
    return this.post(path, `${path}?${query}`, body);
  }

  private post(path: string, pathWithQuery: string, body: string, retries = 1): Promise<void> {
    const where = `POST ${httpApiUrl(this.options)}${path}`;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.options.host,
          port: this.options.httpPort,
          method: 'POST',
          path: pathWithQuery,
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: this.options.timeoutMs ?? 10_000,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < 500) text += chunk;
          });
          res.on('error', reject);
          res.on('end', () => {
            const problem = answerProblem(status, text);
            if (problem === undefined) resolve();
            else reject(new BenchError(`${where} ${problem}`));
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`no answer within ${this.options.timeoutMs ?? 10_000} ms`)),
      );
      req.on('error', (error) => {
        // A kept-alive socket the server closed just as this request went out (node's keep-alive race):
        // the server never read it, so it goes once more on a fresh socket. Were it ever read after all,
        // S1's ledger would count the second delivery as a duplicate.
        if (req.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET' && retries > 0) {
          this.post(path, pathWithQuery, body, retries - 1).then(resolve, reject);
          return;
        }
        reject(new BenchError(`${where} failed: ${describeError(error)}`, { cause: error }));
      });
      req.end(body);
    });
  }
}

/**
 * Why an HTTP API answer is not a successful trigger, or undefined if it is. Reads the body too: soketi
 * 1.6 answers a bad signature with status 200 and `{"error":"...","code":401}`.
 */
export function answerProblem(status: number, body: string): string | undefined {
  const excerpt = body.trim().slice(0, 500);
  if (status < 200 || status >= 300) return `answered ${status}: ${excerpt}`;
  if (!body.includes('"error"')) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed)
      return `answered ${status} with an error: ${excerpt}`;
  } catch {
    // Not JSON: a 2xx without an error object counts as success, whatever its body.
  }
  return undefined;
}
