// The Pusher HTTP API (events, batch events, channel queries) and the health endpoints, on the same
// port as the WebSockets. Every /apps route verifies the request signature before it reads anything.

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  classifyChannel,
  isCacheChannel,
  isPresenceChannel,
  validateChannelNameForApi,
  verifyHttpRequest,
} from '@sockudo/protocol';
import type { App } from '../apps/app.js';
import { channelCacheKey } from '../channels/channel-cache.js';
import type { EngineContext } from '../engine/engine-context.js';
import type { RateLimitResult } from '../spec/v1/index.js';
import { type CorsOptions, createCors } from './cors.js';
import { createHistoryRoutes } from './history-routes.js';
import { readBody } from './read-body.js';
import { HttpError, sendError, sendJson, sendText } from './respond.js';
import { CHANNEL_INFO, parseInfo, TRIGGER_INFO } from './trigger-input.js';
import { type ApiRequest, createTriggerRoutes } from './trigger-routes.js';

/** Server state the HTTP API reports on. */
export interface HttpApiState {
  /** True while the server shuts down: `/ready` and `/up` answer 503. */
  draining: boolean;
}

/** What `http_calls_received_total` reports of a request, filled in as routing learns it. */
interface HttpCall {
  /** A route template (`/apps/:id/events`), never the raw path, so the label set stays bounded. */
  route: string;
  /** Set only once the app exists, so made-up ids cannot grow the label set either. */
  appId: string | undefined;
  receivedAt: number;
}

const UNMATCHED_ROUTE = 'unmatched';

/** The route template of a path outside `/apps`, matching what `route` answers for it. */
function healthRoute(parts: readonly string[]): string {
  if (parts.length === 0) return '/';
  if (parts[0] === 'ready') return '/ready';
  if (parts[0] === 'up' && parts.length <= 2) return parts.length === 1 ? '/up' : '/up/:id';
  if (parts[0] === 'usage' && parts.length === 1) return '/usage';
  return UNMATCHED_ROUTE;
}

/** Creates the request handler for the HTTP API and health routes. */
export function createHttpApi(ctx: EngineContext, state: HttpApiState, cors?: CorsOptions) {
  const { adapter } = ctx;
  const applyCors = createCors(cors);

  async function rateLimit(
    app: App,
    kind: 'backend' | 'read',
    points: number,
  ): Promise<Record<string, string>> {
    const limit = kind === 'backend' ? app.maxBackendEventsPerSecond : app.maxReadRequestsPerSecond;
    if (limit <= 0) return {};
    let result: RateLimitResult;
    try {
      result = await ctx.rateLimiter.consume(`app:${app.id}:${kind}`, points, limit, 1);
    } catch (error) {
      // A limiter whose store is down must not take the API down with it: fail open, and say so.
      ctx.logger.warn('rate limiter unavailable; allowing the request', {
        appId: app.id,
        error: String(error),
      });
      return {};
    }
    const headers = {
      'X-RateLimit-Limit': String(result.limit),
      'X-RateLimit-Remaining': String(result.remaining),
      'X-RateLimit-Reset': String(result.resetSeconds),
    };
    if (!result.allowed) {
      throw new HttpError(
        429,
        `Rate limit of ${limit} ${kind === 'backend' ? 'events' : 'requests'} per second exceeded`,
        {
          ...headers,
          'Retry-After': String(Math.max(1, result.resetSeconds)),
        },
      );
    }
    return headers;
  }

  /** The `info` attributes of one channel; `complete` is false when a node did not answer in time. */
  async function channelInfo(
    appId: string,
    channel: string,
    info: Set<string>,
  ): Promise<{ attributes: Record<string, number>; occupied: boolean; complete: boolean }> {
    const attributes: Record<string, number> = {};
    const count = await adapter.getChannelSocketCount(appId, channel);
    if (info.has('subscription_count')) attributes.subscription_count = count.value;
    if (info.has('user_count') && isPresenceChannel(channel)) {
      attributes.user_count = (await adapter.getPresenceMembers(appId, channel)).size;
    }
    return { attributes, occupied: count.value > 0, complete: count.complete };
  }

  const { triggerEvents, triggerBatch } = createTriggerRoutes(ctx, { rateLimit, channelInfo });

  async function getChannels({ app, query }: ApiRequest, res: ServerResponse): Promise<void> {
    const prefix = query.filter_by_prefix ?? '';
    const info = parseInfo(query.info, TRIGGER_INFO);
    if (info.has('user_count') && !prefix.startsWith('presence-')) {
      throw new HttpError(400, 'info=user_count requires filter_by_prefix=presence-');
    }
    const headers = await rateLimit(app, 'read', 1);
    const channels: Record<string, Record<string, number>> = {};
    const found = await adapter.getChannels(app.id, prefix);
    for (const [name, summary] of found.value) {
      const attributes: Record<string, number> = {};
      if (info.has('user_count')) attributes.user_count = summary.userCount ?? 0;
      if (info.has('subscription_count')) attributes.subscription_count = summary.subscriptionCount;
      channels[name] = attributes;
    }
    // `complete: false` is added only when a node did not answer in time, so Pusher clients see Pusher's shape.
    sendJson(res, 200, found.complete ? { channels } : { channels, complete: false }, headers);
  }

  function checkChannelName(app: App, channel: string): void {
    const invalid = validateChannelNameForApi(channel, app.maxChannelNameLength);
    if (invalid) throw new HttpError(400, invalid);
  }

  const history = createHistoryRoutes(ctx, { rateLimit, checkChannelName });

  async function getChannel({ app, query }: ApiRequest, res: ServerResponse, channel: string): Promise<void> {
    checkChannelName(app, channel);
    const info = parseInfo(query.info, CHANNEL_INFO);
    if (info.has('user_count') && !isPresenceChannel(channel)) {
      throw new HttpError(400, 'info=user_count is only available for presence channels');
    }
    if (info.has('cache') && !isCacheChannel(channel)) {
      throw new HttpError(400, 'info=cache is only available for cache channels');
    }
    const headers = await rateLimit(app, 'read', 1);
    const { attributes, occupied, complete } = await channelInfo(app.id, channel, info);
    const body: Record<string, unknown> = { occupied, ...attributes };
    if (!complete) body.complete = false;
    if (info.has('cache')) {
      const key = channelCacheKey(app.id, channel);
      const cached = await ctx.cache.get(key);
      if (cached !== undefined) {
        const { event, data } = JSON.parse(cached) as { event: string; data: string };
        body.cache = { event, data, ttl: (await ctx.cache.ttl?.(key)) ?? ctx.channelCacheTtlSeconds };
      }
    }
    sendJson(res, 200, body, headers);
  }

  async function terminateUser({ app }: ApiRequest, res: ServerResponse, userId: string): Promise<void> {
    if (userId === '') throw new HttpError(400, 'A user id is required');
    const headers = await rateLimit(app, 'backend', 1);
    await adapter.terminateUser(app.id, userId);
    sendJson(res, 200, {}, headers);
  }

  async function getUsers({ app }: ApiRequest, res: ServerResponse, channel: string): Promise<void> {
    checkChannelName(app, channel);
    if (classifyChannel(channel).type !== 'presence') {
      throw new HttpError(400, 'Users can only be listed for presence channels');
    }
    const headers = await rateLimit(app, 'read', 1);
    const members = await adapter.getPresenceMembers(app.id, channel);
    sendJson(res, 200, { users: [...members.keys()].map((id) => ({ id })) }, headers);
  }

  /** Finds the app, reads the body within the limit and verifies the signature. */
  async function authenticate(
    req: IncomingMessage,
    url: URL,
    appId: string,
    call: HttpCall,
  ): Promise<ApiRequest> {
    const app = await ctx.appManager.findById(appId);
    if (!app) throw new HttpError(404, `Unknown app id ${appId}`);
    call.appId = app.id;
    const body = req.method === 'POST' ? await readBody(req, ctx.httpRequestLimitBytes) : Buffer.alloc(0);
    const query = Object.fromEntries(url.searchParams);
    const verdict = verifyHttpRequest({
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      rawBody: body,
      key: app.key,
      secret: app.secret,
      maxSkewSeconds: ctx.httpTimestampSkewSeconds,
    });
    if (!verdict.ok) throw new HttpError(401, verdict.message);
    if (!app.enabled) throw new HttpError(403, `App ${appId} is disabled`);
    return {
      app,
      query,
      idempotencyHeader: req.headers['x-idempotency-key'],
      body,
      receivedAt: call.receivedAt,
    };
  }

  /** The dependencies whose health check fails or does not answer within the timeout. */
  async function failingDependencies(): Promise<string[]> {
    const checks: Array<[string, (() => Promise<void>) | undefined]> = [
      ['adapter', () => ctx.adapter.checkHealth()],
      ['app_manager', ctx.appManager.checkHealth?.bind(ctx.appManager)],
      ['cache', ctx.cache.checkHealth?.bind(ctx.cache)],
      ['queue', ctx.queue.checkHealth?.bind(ctx.queue)],
      ['rate_limiter', ctx.rateLimiter.checkHealth?.bind(ctx.rateLimiter)],
      ['history', () => ctx.history.checkHealth()],
    ];
    const results = await Promise.all(
      checks.map(async ([name, check]) => {
        if (!check) return undefined;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), ctx.healthCheckTimeoutMs);
        });
        try {
          await Promise.race([check(), timeout]);
          return undefined;
        } catch {
          return name;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return results.filter((name): name is string => name !== undefined);
  }

  async function route(req: IncomingMessage, res: ServerResponse, call: HttpCall): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, 'Malformed percent-encoding in the path');
    }
    const method = req.method ?? 'GET';

    if (parts[0] !== 'apps') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(404, 'Not found');
      call.route = healthRoute(parts);
      if (parts.length === 0) return sendText(res, 200, 'OK');
      if (parts[0] === 'ready')
        return sendText(res, state.draining ? 503 : 200, state.draining ? 'DRAINING' : 'OK');
      if (parts[0] === 'up' && parts.length <= 2) {
        if (state.draining) return sendText(res, 503, 'DRAINING');
        const failing = await failingDependencies();
        if (parts[1] !== undefined && !failing.includes('app_manager')) {
          const found = await ctx.appManager.findById(parts[1]).catch(() => undefined);
          if (!found) return sendText(res, 404, 'NOT_FOUND');
        }
        // A node whose broker, cache, queue or database is down still serves its own clients: it is
        // DEGRADED (200), not down. The header names what failed.
        return failing.length === 0
          ? sendText(res, 200, 'OK')
          : sendText(res, 200, 'DEGRADED', { 'X-Health-Check': failing.join(',') });
      }
      if (parts[0] === 'usage' && parts.length === 1) {
        const memory = process.memoryUsage();
        return sendJson(res, 200, {
          memory: {
            rss: memory.rss,
            heapUsed: memory.heapUsed,
            heapTotal: memory.heapTotal,
            external: memory.external,
          },
          connections: adapter.localSocketCount(),
        });
      }
      throw new HttpError(404, 'Not found');
    }

    const [, appId, resource, name, sub, operation] = parts;
    if (appId === undefined || (sub === 'history' && parts.length > 6)) throw new HttpError(404, 'Not found');
    const handler = pick(method, resource, name, sub, operation);
    if (!handler) throw new HttpError(404, `No route for ${method} ${url.pathname}`);
    call.route = API_ROUTES.get(handler) ?? call.route;
    const request = await authenticate(req, url, appId, call);
    await handler(request, res, name ?? '');
  }

  type Handler = (request: ApiRequest, res: ServerResponse, name: string) => Promise<void>;
  function pick(
    method: string,
    resource?: string,
    name?: string,
    sub?: string,
    operation?: string,
  ): Handler | undefined {
    if (resource === 'channels' && name !== undefined && sub === 'history') {
      if (method === 'GET' && operation === undefined) return history.getHistory;
      if (method === 'GET' && operation === 'state') return history.getHistoryState;
      if (method === 'POST' && operation === 'reset') return history.resetHistory;
      if (method === 'POST' && operation === 'purge') return history.purgeHistory;
      return undefined;
    }
    if (method === 'POST' && resource === 'events' && name === undefined) return triggerEvents;
    if (method === 'POST' && resource === 'batch_events' && name === undefined) return triggerBatch;
    if (method === 'POST' && resource === 'users' && name !== undefined && sub === 'terminate_connections') {
      return terminateUser;
    }
    if (method === 'GET' && resource === 'channels') {
      if (name === undefined) return getChannels;
      if (sub === undefined) return getChannel;
      if (sub === 'users') return getUsers;
    }
    return undefined;
  }

  const API_ROUTES = new Map<Handler, string>([
    [triggerEvents, '/apps/:id/events'],
    [triggerBatch, '/apps/:id/batch_events'],
    [terminateUser, '/apps/:id/users/:user_id/terminate_connections'],
    [getChannels, '/apps/:id/channels'],
    [getChannel, '/apps/:id/channels/:channel_name'],
    [getUsers, '/apps/:id/channels/:channel_name/users'],
    [history.getHistory, '/apps/:id/channels/:channel_name/history'],
    [history.getHistoryState, '/apps/:id/channels/:channel_name/history/state'],
    [history.resetHistory, '/apps/:id/channels/:channel_name/history/reset'],
    [history.purgeHistory, '/apps/:id/channels/:channel_name/history/purge'],
  ]);

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const call: HttpCall = { route: UNMATCHED_ROUTE, appId: undefined, receivedAt: performance.now() };
    if (applyCors(req, res)) {
      ctx.metrics.increment('http_calls_received_total', {
        appId: undefined,
        route: 'preflight',
        status: 204,
      });
      return;
    }
    route(req, res, call)
      .catch((error: unknown) => {
        if (res.headersSent) return;
        if (error instanceof HttpError) {
          sendError(res, error);
          return;
        }
        ctx.logger.error('HTTP API request failed', { url: req.url?.split('?')[0], error: String(error) });
        sendError(res, new HttpError(500, 'Internal server error'));
      })
      .then(() =>
        ctx.metrics.increment('http_calls_received_total', {
          appId: call.appId,
          route: call.route,
          status: res.statusCode,
        }),
      );
  };
}
