// What a WebSocket URL's query asks for, as Rust Sockudo reads it: `protocol=2` for Sockudo's V2 wire
// (anything else is Pusher's), and for V2 the `format` and `echo_messages` parameters.

import { PROTOCOL_V2 } from '@sockudo/protocol';
import type { EchoControlSettings } from '../engine/extension-settings.js';

/** How one socket speaks. */
export interface WireOptions {
  /** 1 (Pusher protocol 7) or 2 (Sockudo's V2). */
  readonly protocol: 1 | 2;
  /** V2: whether the socket receives its own client events. */
  readonly echoMessages: boolean;
}

/** Every socket that asks for nothing new. */
export const PUSHER_WIRE: WireOptions = Object.freeze({ protocol: 1, echoMessages: false });

/**
 * The wire options of a connection whose URL query (after `?`, possibly empty) is `query`, or the
 * reason to refuse it with 400. A Pusher client pays one substring search: the query is parsed only
 * when it mentions `protocol=2`.
 */
export function wireOptionsOf(query: string, echo: EchoControlSettings): WireOptions | { refused: string } {
  if (!query.includes(`protocol=${PROTOCOL_V2}`)) return PUSHER_WIRE;
  const params = new URLSearchParams(query);
  if (params.get('protocol') !== String(PROTOCOL_V2)) return PUSHER_WIRE;
  const format = params.get('format')?.trim().toLowerCase();
  if (format !== undefined && format !== '' && format !== 'json') {
    // Rust Sockudo also speaks messagepack and protobuf; this server only JSON.
    return { refused: `Unsupported wire format "${format}": this server speaks json` };
  }
  const asked = params.get('echo_messages');
  let echoMessages = echo.defaultEchoMessages;
  if (asked !== null) {
    if (asked !== 'true' && asked !== 'false') return { refused: 'echo_messages must be true or false' };
    echoMessages = asked === 'true';
  }
  return { protocol: 2, echoMessages: echo.enabled ? echoMessages : true };
}
