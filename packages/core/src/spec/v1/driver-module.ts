// The shape of a driver package that `sockudo start` loads by name (`"driver": "sockudo-adapter-x"`):
// a named export `sockudoDriver` whose `create` returns one of the other spec/v1 contracts.

import type { Logger } from '../../util/logger.js';
import type { TransportV2 } from '../v2/transport.js';
import type { AppManagerV1 } from './app-manager.js';
import type { CacheV1 } from './cache.js';
import type { QueueV1 } from './queue.js';
import type { RateLimiterV1 } from './rate-limiter.js';
import type { TransportV1 } from './transport.js';

/**
 * What a driver package provides, named as the config section it is configured in: `adapter` (a
 * transport the server wraps in a HorizontalAdapter), `app_manager`, `cache`, `queue`, `rate_limiter`.
 */
export type DriverKind = 'adapter' | 'app_manager' | 'cache' | 'queue' | 'rate_limiter';

/** The contract `create` returns for each {@link DriverKind}. */
export interface DriverInstanceV1 {
  /** A routed {@link TransportV2} or a {@link TransportV1}. */
  adapter: TransportV1 | TransportV2;
  app_manager: AppManagerV1;
  cache: CacheV1;
  queue: QueueV1;
  rate_limiter: RateLimiterV1;
}

/** What the server tells `create` besides the options. */
export interface DriverContextV1 {
  /** The server's logger; report connection loss and recovery here. Never log secrets. */
  logger: Logger;
  /** The config key that named this driver, e.g. `adapter.driver`; use it in error messages. */
  configKey: string;
  /** Where the options came from, e.g. `adapter.options`; use it in error messages. */
  optionsKey: string;
  /** The directory relative paths in the options resolve against (the config file's directory). */
  baseDirectory: string;
  /** The version of the `sockudo` server loading the driver. */
  serverVersion: string;
}

/**
 * The named export `sockudoDriver` of a driver package, version 1 of the module contract.
 *
 * `create` receives the driver's section of the config (`<section>.options`, after `${VAR}`
 * substitution, as plain JSON) and returns (or resolves with) the contract of its `kind`. It should
 * validate the options and throw an Error naming the offending option; it should not connect yet:
 * the server calls `start()`/`checkHealth()` itself and reports failures with the driver's name.
 *
 * @example
 * ```ts
 * import type { SockudoDriverV1 } from '@sockudo/core';
 * export const sockudoDriver: SockudoDriverV1<'adapter'> = {
 *   specVersion: 1,
 *   kind: 'adapter',
 *   create: (options, context) => createMyTransport({ url: String(options.url), logger: context.logger }),
 * };
 * ```
 */
export interface SockudoDriverV1<Kind extends DriverKind = DriverKind> {
  readonly specVersion: 1;
  readonly kind: Kind;
  create(
    options: Record<string, unknown>,
    context: DriverContextV1,
  ): DriverInstanceV1[Kind] | Promise<DriverInstanceV1[Kind]>;
}
