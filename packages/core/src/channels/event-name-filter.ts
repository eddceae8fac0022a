// Event-name filtering on subscribe (V2): `filter: { events: [...] }` in the subscribe data lets only
// those application events through. Read as Rust Sockudo's `SubscriptionRequest` does it, with its
// limits and its error messages.

import type { EventNameFilteringSettings } from '../engine/extension-settings.js';

/**
 * The `code` of the `sockudo:error` refusing a bad filter: Rust Sockudo's close code for an invalid
 * message (the socket stays open).
 */
export const INVALID_FILTER_CODE = 4000;

/** A subscription's filter, or the reason to refuse the subscribe (sent as `sockudo:error` 4000). */
export type EventFilterResult = { events: ReadonlySet<string> | undefined } | { error: string };

const NO_FILTER: EventFilterResult = Object.freeze({ events: undefined });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The event names `request.filter` (alias `tags_filter`) allows, undefined for all. Only a compound
 * filter (an object with `events`, `tags` or `expression`) names events; a bare tag filter does not.
 * `tags` are read by tag-filter.ts; `expression` (JMESPath) is not served and ignored. A malformed `events` is
 * refused even while filtering is off, as in Rust Sockudo; the limits apply while it is on.
 */
export function eventNameFilter(
  request: Record<string, unknown>,
  settings: EventNameFilteringSettings,
): EventFilterResult {
  const filter = request.filter ?? request.tags_filter;
  if (!isRecord(filter)) return NO_FILTER;
  if (filter.events === undefined && filter.tags === undefined && filter.expression === undefined) {
    return NO_FILTER;
  }
  if (filter.events === undefined) return NO_FILTER;
  if (!Array.isArray(filter.events)) {
    return { error: 'Invalid message format: filter.events must be an array of non-empty strings' };
  }
  const names: string[] = [];
  for (const name of filter.events) {
    if (typeof name !== 'string' || name === '') {
      return { error: 'Invalid message format: filter.events must contain only non-empty strings' };
    }
    names.push(name);
  }
  if (!settings.enabled || names.length === 0) return NO_FILTER;
  if (names.length > settings.maxEventsPerFilter) {
    return {
      error: `Invalid message format: filter.events exceeds maximum of ${settings.maxEventsPerFilter} event names`,
    };
  }
  for (const name of names) {
    if (Buffer.byteLength(name) > settings.maxEventNameLength) {
      return {
        error: `Invalid message format: Event name '${[...name].slice(0, 40).join('')}...' exceeds maximum length of ${settings.maxEventNameLength} characters`,
      };
    }
  }
  return { events: new Set(names) };
}
