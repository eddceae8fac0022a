// The HorizontalAdapter's wire format between nodes: a JSON header, a newline, then an optional body
// (a frame, or a snapshot). JSON never contains a raw newline, so the split is unambiguous and the
// frame is not escaped a second time.

/** What a cluster-wide count asks for. */
export type RequestOp = 'count' | 'channels' | 'sockets';

/**
 * Headers of the messages nodes exchange. `n` is the sender's node id. Channel events (`b`), user
 * events (`u`) and terminations (`t`) go to the interested nodes (routed) or to all (V1/broadcast
 * routing); everything else always goes to all nodes.
 */
export type Header =
  /** `i: 1` marks the all-nodes copy of a routed event, for peers that do not route by interest. */
  | { k: 'b'; n: string; a: string; c: string; x?: string; i?: 1 }
  | { k: 'u'; n: string; a: string; u: string; x?: string; i?: 1 }
  | { k: 't'; n: string; a: string; u: string; i?: 1 }
  /** Hello and heartbeat; `m` is the sender's routing ('i' interest, 'b' broadcast). */
  | { k: 'h' | 'hello'; n: string; m?: 'i' | 'b' }
  /** A snapshot for node `to`; `r: 1` asks for one back. */
  | { k: 'sync'; n: string; to: string; r?: 1; m?: 'i' | 'b' }
  | { k: 'bye'; n: string }
  | { k: 'pj' | 'pl'; n: string; a: string; c: string; u: string }
  | { k: 'co' | 'cv'; n: string; a: string; c: string }
  | { k: 'uo' | 'uf'; n: string; a: string; u: string };

export type ClusterRequest = { n: string; id: string; op: RequestOp; a: string; c?: string; p?: string };
export type ClusterResponse = { n: string; id: string; to: string; v: unknown };

/** `appId \0 name`: the key of per-app maps, where neither part can contain a NUL. */
export const entryKey = (appId: string, name: string): string => `${appId}\0${name}`;

export function encode(header: object, body = ''): string {
  return `${JSON.stringify(header)}\n${body}`;
}

export function decode(payload: Uint8Array | string): { header: Record<string, unknown>; body: string } {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  const cut = text.indexOf('\n');
  return cut < 0
    ? { header: JSON.parse(text), body: '' }
    : { header: JSON.parse(text.slice(0, cut)), body: text.slice(cut + 1) };
}
