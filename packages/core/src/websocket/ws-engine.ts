// The `ws` package behind the WireSocket interface: its WebSocket subclass carries the listener in an
// in-object field, and shared listener functions find it through `this` (no closures per socket).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type {
  WebSocketEngine,
  WebSocketEngineOptions,
  WireSocket,
  WireSocketListener,
} from './wire-socket.js';

// ws spreads these into a new object per send; one shared literal avoids a second allocation.
const TEXT_FRAME = { binary: false, compress: false, fin: true } as const;

class WsWireSocket extends WebSocket implements WireSocket {
  /** Declared so it lives in the object itself, not in an out-of-object property array. */
  listener: WireSocketListener | undefined = undefined;

  listen(listener: WireSocketListener): void {
    this.listener = listener;
    this.on('message', onMessage);
    this.on('close', onClose);
    this.on('error', onError);
    this.on('pong', onPong);
  }

  get isOpen(): boolean {
    return this.readyState === WebSocket.OPEN;
  }

  get stream(): Duplex | undefined {
    return (this as unknown as { _socket?: Duplex })._socket;
  }

  sendText(text: string): void {
    this.send(text, TEXT_FRAME);
  }
}

function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  (this as WsWireSocket).listener!.onMessage(data, isBinary);
}
function onClose(this: WebSocket, code: number): void {
  (this as WsWireSocket).listener!.onClose(code);
}
function onError(this: WebSocket, error: Error): void {
  (this as WsWireSocket).listener!.onError(error);
}
function onPong(this: WebSocket): void {
  (this as WsWireSocket).listener!.onPong();
}

export function createWsEngine(options: WebSocketEngineOptions): WebSocketEngine {
  const wss = new WebSocketServer({
    noServer: true,
    // No ws client set: it costs every socket a Set entry and a 'close' closure.
    clientTracking: false,
    perMessageDeflate: false,
    WebSocket: WsWireSocket,
    maxPayload: options.maxPayloadBytes,
  });
  return {
    name: 'ws',
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, accepted: (ws: WireSocket) => void) {
      wss.handleUpgrade(req, socket, head, (ws) => accepted(ws as WsWireSocket));
    },
    close: () => wss.close(),
  };
}
