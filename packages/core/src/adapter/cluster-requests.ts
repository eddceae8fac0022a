// Cluster-wide questions ("how many sockets in this channel?") asked of every peer at once: the asker
// waits for one answer per known peer, up to a timeout, and reports `complete: false` when someone was
// missing. Answers to other nodes' questions are computed from the LocalAdapter.

import { randomUUID } from 'node:crypto';
import { appLabels } from '../metrics/metric-labels.js';
import type { MetricLabels, MetricsV1 } from '../spec/v1/index.js';
import { type ClusterRequest, type ClusterResponse, decode, encode } from './cluster-wire.js';
import type { LocalAdapter } from './local-adapter.js';

interface PendingRequest {
  waitingFor: Set<string>;
  answers: unknown[];
  finish: (complete: boolean) => void;
  labels: MetricLabels;
}

/** What {@link ClusterRequests} needs of its node. */
export interface RequestsNode {
  readonly nodeId: string;
  readonly local: LocalAdapter;
  readonly metrics: MetricsV1;
  readonly timeoutMs: number;
  /** The ids of the peers to wait for. */
  peerIds(): Iterable<string>;
  publishRequest(payload: string): Promise<void>;
  publishResponse(payload: string): Promise<void>;
  /** A publish failed (logged, rate limited). */
  onPublishError(error: unknown): void;
}

/** The asker's and the answerer's side of the request/response protocol. */
export class ClusterRequests {
  private readonly pending = new Map<string, PendingRequest>();

  constructor(private readonly node: RequestsNode) {}

  /** Asks every known peer; resolves with what arrived, `complete: false` if someone was missing. */
  ask(body: Omit<ClusterRequest, 'n' | 'id'>): Promise<{ answers: unknown[]; complete: boolean }> {
    const waitingFor = new Set(this.node.peerIds());
    if (waitingFor.size === 0) return Promise.resolve({ answers: [], complete: true });
    const { metrics } = this.node;
    const id = randomUUID();
    const labels = appLabels(body.a);
    const started = performance.now();
    metrics.increment('horizontal_adapter_sent_requests', labels);
    return new Promise((resolve) => {
      const answers: unknown[] = [];
      const timer = setTimeout(() => finish(false), this.node.timeoutMs);
      const finish = (complete: boolean) => {
        clearTimeout(timer);
        if (!this.pending.delete(id)) return; // already finished
        metrics.increment(
          complete ? 'horizontal_adapter_resolved_promises' : 'horizontal_adapter_uncomplete_promises',
          labels,
        );
        metrics.observe('horizontal_adapter_resolve_time', labels, performance.now() - started);
        resolve({ answers, complete });
      };
      this.pending.set(id, { waitingFor, answers, finish, labels });
      this.node.publishRequest(encode({ ...body, n: this.node.nodeId, id })).catch((error: unknown) => {
        this.node.onPublishError(error);
        finish(false);
      });
    });
  }

  /** Answers another node's request from this node's local state; returns the asker's id. */
  answer(payload: Uint8Array | string): string | undefined {
    const request = decode(payload).header as ClusterRequest;
    if (request.n === this.node.nodeId) return undefined;
    const { local } = this.node;
    this.node.metrics.increment('horizontal_adapter_received_requests', appLabels(String(request.a)));
    let value: unknown;
    if (request.op === 'count') value = local.channelSocketCount(request.a, request.c ?? '');
    else if (request.op === 'sockets') value = local.appSocketCount(request.a);
    else {
      value = [...local.channelSummaries(request.a, request.p)].map(([channel, s]) => [
        channel,
        s.subscriptionCount,
      ]);
    }
    const response: ClusterResponse = { n: this.node.nodeId, id: request.id, to: request.n, v: value };
    this.node.publishResponse(encode(response)).catch((error: unknown) => this.node.onPublishError(error));
    return request.n;
  }

  /** Takes a peer's answer to one of this node's requests. */
  receive(payload: Uint8Array | string): void {
    const response = decode(payload).header as ClusterResponse;
    if (response.to !== this.node.nodeId) return;
    const pending = this.pending.get(response.id);
    if (!pending?.waitingFor.delete(response.n)) return;
    this.node.metrics.increment('horizontal_adapter_received_responses', pending.labels);
    pending.answers.push(response.v);
    if (pending.waitingFor.size === 0) pending.finish(true);
  }

  /** A peer is gone: requests stop waiting for it. */
  forget(nodeId: string): void {
    for (const pending of this.pending.values()) {
      if (pending.waitingFor.delete(nodeId) && pending.waitingFor.size === 0) pending.finish(true);
    }
  }

  /** Finishes every pending request as incomplete. */
  close(): void {
    for (const pending of this.pending.values()) pending.finish(false);
  }
}
