/** What a transport hands back to the node that owns it. */
export interface TransportHandlers {
  onBroadcast(payload: Uint8Array | string): void;
  onRequest(payload: Uint8Array | string): void;
  onResponse(payload: Uint8Array | string): void;
}

/**
 * Moves opaque bytes between the nodes of a cluster. It knows nothing of channels or sockets: the
 * HorizontalAdapter in core owns the request/response protocol, timeouts, heartbeats and de-duplication.
 */
export interface TransportV1 {
  readonly specVersion: 1;
  start(handlers: TransportHandlers): Promise<void>;
  publishBroadcast(payload: string): Promise<void>;
  publishRequest(payload: string): Promise<void>;
  publishResponse(payload: string): Promise<void>;
  /** The number of nodes listening, where the broker can tell. */
  nodeCount?(): Promise<number>;
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}
