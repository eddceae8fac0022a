// Picks the client implementation for `--client`. It lives apart from frame-socket.ts (the types both
// clients implement), so a client never imports the module that imports it.
import type { ClientKind, FrameSocket, FrameSocketEvents } from './frame-socket.js';
import { RawWebSocket } from './raw-websocket.js';
import { WsFrameSocket } from './ws-frame-socket.js';

/** Opens a client WebSocket of the given kind; events arrive on `events`. */
export function openFrameSocket(
  kind: ClientKind,
  url: string,
  handshakeTimeoutMs: number,
  events: FrameSocketEvents,
): FrameSocket {
  return kind === 'raw'
    ? new RawWebSocket(url, handshakeTimeoutMs, events)
    : new WsFrameSocket(url, handshakeTimeoutMs, events);
}
