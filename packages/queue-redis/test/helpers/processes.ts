// Child processes and a webhook receiver for the restart test.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/webhook-node.mjs', import.meta.url));

/** Builds this package (and what it references) with `tsc -b`: the child process runs dist/. */
export function buildPackage(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, '-b', PACKAGE_DIR], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error)
        reject(
          new Error(`tsc -b ${PACKAGE_DIR} failed, so the child process cannot run:\n${stdout}${stderr}`),
        );
      else resolve();
    });
  });
}

/** A Sockudo node running test/fixtures/webhook-node.mjs. */
export interface NodeProcess {
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

const running = new Set<NodeProcess>();

/** Kills every node process still running (afterEach). */
export async function killNodes(): Promise<void> {
  await Promise.all([...running].map((node) => node.kill()));
}

/** Starts the fixture with `env` (plus PATH) and waits until it listens. */
export function startNode(env: Record<string, string>, timeoutMs = 15_000): Promise<NodeProcess> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const node: NodeProcess = {
    port: 0,
    child,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
      running.delete(node);
    },
  };
  running.add(node);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void node.kill();
      reject(new Error(`the node process did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const match = /listening (\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      node.port = Number(match[1]);
      resolve(node);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the node process exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

/** One request the receiver got, and what became of it. */
export interface ReceivedRequest {
  index: number;
  /** When it arrived (ms since epoch). */
  at: number;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: { time_ms: number; events: Array<{ name: string; channel: string }> };
  /** The status answered, or 'hung' for a request never answered. */
  answer: number | 'hung';
  /** The sender went away before an answer (its process was killed). */
  aborted: boolean;
}

/** A real HTTP webhook receiver on 127.0.0.1 with an OS-chosen port. */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** `answer(index)` decides each request's fate: a status, or 'hang' to never answer. */
  static start(answer: (index: number) => number | 'hang'): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const index = receiver.requests.length;
        const decision = answer(index);
        const request: ReceivedRequest = {
          index,
          at: Date.now(),
          headers: req.headers,
          rawBody,
          body: JSON.parse(rawBody),
          answer: decision === 'hang' ? 'hung' : decision,
          aborted: false,
        };
        receiver.requests.push(request);
        res.on('close', () => {
          if (!res.writableFinished) request.aborted = true;
        });
        if (decision === 'hang') {
          receiver.hanging.add(res);
          return;
        }
        res.writeHead(decision, { 'content-type': 'text/plain' }).end(decision < 300 ? 'ok' : 'no');
      });
    });
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/hooks`);
        resolve(receiver);
      });
    });
  }

  /** Requests answered with a 2xx: the deliveries that count. */
  delivered(): ReceivedRequest[] {
    return this.requests.filter((request) => typeof request.answer === 'number' && request.answer < 300);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
