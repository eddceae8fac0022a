// Tag filtering on subscribe (V2): a `filter` (alias `tags_filter`) in the subscribe data, checked as
// Rust Sockudo's `SubscriptionRequest` and `MessagePredicate::compile` check it (same order, limits and
// messages) and compiled once into a tree of closures that each fan-out runs against the message's tags.

import { rustFloat, type TagPredicate } from '../wire/frame-tags.js';
import { type FilterNode, FilterShapeError, readFilterNode, validateFilterNode } from './tag-filter-node.js';

/** Rust Sockudo's `PredicateLimits` defaults, which bound every subscription's filter. */
export const TAG_FILTER_LIMITS = Object.freeze({
  maxEvents: 64,
  maxEventBytes: 256,
  maxNodes: 128,
  maxDepth: 16,
  maxKeyBytes: 256,
  maxValueBytes: 1024,
  maxValuesPerNode: 128,
});

/** A subscription's compiled tag filter (undefined: none), or the reason to refuse the subscribe. */
export type TagFilterResult = { predicate: TagPredicate | undefined } | { error: string };

const NO_FILTER: TagFilterResult = Object.freeze({ predicate: undefined });
const PREFIX = 'Invalid message format: ';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const bytes = (text: string) => Buffer.byteLength(text);

/** Rust Sockudo's `validate_events`, run on the names a compound filter lists (before deduplication). */
function eventsProblem(events: readonly unknown[]): string | undefined {
  const limits = TAG_FILTER_LIMITS;
  if (events.length > limits.maxEvents) return `event list exceeds the limit of ${limits.maxEvents}`;
  for (const [index, name] of events.entries()) {
    if (typeof name === 'string' && bytes(name) > limits.maxEventBytes) {
      return `event at index ${index} exceeds the byte limit of ${limits.maxEventBytes}`;
    }
  }
  return undefined;
}

/** Rust Sockudo's `validate_tag_shape`: the structural rules `validate` does not check. */
function shapeProblem(node: FilterNode): string | undefined {
  if (node.op !== undefined) {
    const comparisonFields =
      node.key !== undefined || node.cmp !== undefined || node.val !== undefined || node.vals.length > 0;
    return comparisonFields ? 'invalid tag filter: logical node contains comparison fields' : undefined;
  }
  if (node.nodes.length > 0) return 'invalid tag filter: comparison node contains child nodes';
  return undefined;
}

/**
 * Rust Sockudo's `validate_tags`: node count, depth, key and value sizes, then shape, node by node in
 * its order (a stack: the root, then the last child first).
 */
function limitsProblem(root: FilterNode): string | undefined {
  const limits = TAG_FILTER_LIMITS;
  const stack: Array<[FilterNode, number]> = [[root, 1]];
  let count = 0;
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry;
    if (++count > limits.maxNodes) return `tag filter exceeds the node limit of ${limits.maxNodes}`;
    if (depth > limits.maxDepth) return `tag filter exceeds the depth limit of ${limits.maxDepth}`;
    if (node.key !== undefined && bytes(node.key) > limits.maxKeyBytes) {
      return `tag filter key exceeds the byte limit of ${limits.maxKeyBytes}`;
    }
    if (
      (node.val !== undefined && bytes(node.val) > limits.maxValueBytes) ||
      node.vals.some((value) => bytes(value) > limits.maxValueBytes)
    ) {
      return `tag filter value exceeds the byte limit of ${limits.maxValueBytes}`;
    }
    if (node.vals.length > limits.maxValuesPerNode) {
      return `tag filter value list exceeds the limit of ${limits.maxValuesPerNode}`;
    }
    const shape = shapeProblem(node);
    if (shape !== undefined) return shape;
    for (const child of node.nodes) stack.push([child, depth + 1]);
  }
  return undefined;
}

const NEVER: TagPredicate = () => false;

function numeric(key: string, val: string, test: (a: number, b: number) => boolean): TagPredicate {
  const expected = rustFloat(val);
  if (expected === undefined) return NEVER;
  return (tags) => {
    const actual = tags.number(key);
    return actual !== undefined && test(actual, expected);
  };
}

/** One closure per node, so a fan-out evaluates the tree without interpreting it. */
function compile(node: FilterNode): TagPredicate {
  if (node.op !== undefined) {
    const children = node.nodes.map(compile);
    const [first = NEVER, second = NEVER] = children;
    if (node.op === 'not') return (tags) => !first(tags);
    if (children.length === 1) return first;
    if (node.op === 'and') {
      return children.length === 2
        ? (tags) => first(tags) && second(tags)
        : (tags) => children.every((child) => child(tags));
    }
    return children.length === 2
      ? (tags) => first(tags) || second(tags)
      : (tags) => children.some((child) => child(tags));
  }
  const key = node.key!;
  const val = node.val ?? '';
  switch (node.cmp) {
    case 'eq':
      return (tags) => tags.get(key) === val;
    case 'neq':
      return (tags) => tags.get(key) !== val;
    case 'in':
    case 'nin': {
      const set = new Set(node.vals);
      if (node.cmp === 'in') {
        return (tags) => {
          const actual = tags.get(key);
          return actual !== undefined && set.has(actual);
        };
      }
      return (tags) => {
        const actual = tags.get(key);
        return actual === undefined || !set.has(actual);
      };
    }
    case 'ex':
      return (tags) => tags.has(key);
    case 'nex':
      return (tags) => !tags.has(key);
    case 'sw':
      return (tags) => tags.get(key)?.startsWith(val) === true;
    case 'ew':
      return (tags) => tags.get(key)?.endsWith(val) === true;
    case 'ct':
      return (tags) => tags.get(key)?.includes(val) === true;
    case 'gt':
      return numeric(key, val, (a, b) => a > b);
    case 'gte':
      return numeric(key, val, (a, b) => a >= b);
    case 'lt':
      return numeric(key, val, (a, b) => a < b);
    default:
      return numeric(key, val, (a, b) => a <= b);
  }
}

/**
 * A tag filter compiled from its JSON form, or the reason Rust Sockudo gives for refusing it (without
 * the `Invalid message format: ` prefix). `events` are a compound filter's names when event-name
 * filtering applies them, checked against the same compile limits.
 */
export function compileTagFilter(raw: unknown, events?: readonly unknown[]): TagFilterResult {
  let node: FilterNode | undefined;
  if (raw !== undefined) {
    try {
      node = readFilterNode(raw);
    } catch (error) {
      if (!(error instanceof FilterShapeError)) throw error;
      if (error.tooDeep) {
        return {
          error: `Invalid subscription filter: tag filter exceeds the depth limit of ${TAG_FILTER_LIMITS.maxDepth}`,
        };
      }
      return { error: `Invalid tags filter shape: ${error.message}` };
    }
    const invalid = validateFilterNode(node);
    if (invalid !== undefined) return { error: `Invalid tags filter: ${invalid}` };
  }
  const problem = (events && eventsProblem(events)) ?? (node && limitsProblem(node));
  if (problem !== undefined) return { error: `Invalid subscription filter: ${problem}` };
  return node === undefined ? NO_FILTER : { predicate: compile(node) };
}

/**
 * The tag filter of V2 subscribe data: `request.filter` (alias `tags_filter`), whose `tags` part when
 * it is a compound filter (`{ events, tags, expression }`), else the whole value. `namedEvents` says
 * whether event-name filtering applies the compound filter's `events` (they count against the compile
 * limits then). The refusal comes with Rust Sockudo's `Invalid message format: ` prefix.
 */
export function subscriptionTagFilter(
  request: Record<string, unknown>,
  namedEvents: boolean,
): TagFilterResult {
  const filter = request.filter ?? request.tags_filter;
  if (filter === undefined || filter === null) return NO_FILTER;
  let raw: unknown = filter;
  let events: readonly unknown[] | undefined;
  if (
    isRecord(filter) &&
    (filter.events !== undefined || filter.tags !== undefined || filter.expression !== undefined)
  ) {
    raw = filter.tags ?? undefined;
    if (namedEvents && Array.isArray(filter.events)) events = filter.events;
  }
  const result = compileTagFilter(raw, events);
  return 'error' in result ? { error: PREFIX + result.error } : result;
}
