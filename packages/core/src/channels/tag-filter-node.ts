// The tag filter tree a V2 subscription sends, `{op?, key?, cmp?, val?, vals[], nodes[]}`, read from
// parsed JSON as Rust Sockudo's `FilterNode` deserialises it (numbers and booleans in `val`/`vals`
// become strings) and checked by its `validate`, with its error messages.

/** One node of a tag filter: a logical node (`op` with `nodes`) or a comparison (`key`, `cmp`, values). */
export interface FilterNode {
  op: string | undefined;
  key: string | undefined;
  cmp: string | undefined;
  val: string | undefined;
  /**
   * Without duplicates, as Rust Sockudo's `optimize` leaves them before validating (it also sorts them,
   * for its binary search; a Set needs no order).
   */
  vals: string[];
  nodes: FilterNode[];
}

export const LOGICAL_OPS: ReadonlySet<string> = new Set(['and', 'or', 'not']);
export const COMPARE_OPS: ReadonlySet<string> = new Set([
  'eq',
  'neq',
  'in',
  'nin',
  'ex',
  'nex',
  'sw',
  'ew',
  'ct',
  'gt',
  'gte',
  'lt',
  'lte',
]);

/**
 * Deeper than this the tree is refused at once with the depth error compiling would give (Rust Sockudo
 * allows 16 levels): the readers here recurse, and a frame of nested `not`s must not exhaust the stack.
 */
export const MAX_READ_DEPTH = 256;

/** A shape error (serde's words, without sonic_rs's position suffix), or the tree being too deep. */
export class FilterShapeError extends Error {
  constructor(
    message: string,
    readonly tooDeep = false,
  ) {
    super(message);
  }
}

/** `n` as Rust Sockudo's `Number::to_string` writes a JSON number: integers plainly, floats as ryu does. */
export function numberText(n: number): string {
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 64) return BigInt(n).toString();
  const sign = n < 0 ? '-' : '';
  const [mantissa = '', exponent = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const point = Number(exponent) + 1; // the value is 0.<digits> × 10^point
  const zeros = point - digits.length;
  let text: string;
  if (zeros >= 0 && point <= 16) text = `${digits}${'0'.repeat(zeros)}.0`;
  else if (point > 0 && point <= 16) text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  else if (point > -5 && point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (digits.length === 1) text = `${digits}e${point - 1}`;
  else text = `${digits[0]}.${digits.slice(1)}e${point - 1}`;
  return sign + text;
}

/** What serde calls an unexpected JSON value in "invalid type: …" (serde_json's `JsonUnexpected`). */
function unexpected(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value)}`;
    case 'boolean':
      return `boolean \`${value}\``;
    case 'number':
      return Number.isInteger(value) && Math.abs(value) < 2 ** 64
        ? `integer \`${numberText(value)}\``
        : `floating point \`${numberText(value)}\``;
    default:
      return 'map';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `val`/`vals` entry as Rust Sockudo's `deserialize_string_or_number` turns it into a string. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function optionalString(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new FilterShapeError(`invalid type: ${unexpected(value)}, expected a string`);
  return value;
}

function sequence(value: unknown): unknown[] {
  if (!Array.isArray(value))
    throw new FilterShapeError(`invalid type: ${unexpected(value)}, expected a sequence`);
  return value;
}

/**
 * `raw` as a filter tree, fields read in the order they come (so the first bad one is reported, as
 * serde does); unknown fields are ignored.
 * @throws FilterShapeError
 */
export function readFilterNode(raw: unknown, depth = 1): FilterNode {
  if (depth > MAX_READ_DEPTH) throw new FilterShapeError('too deep', true);
  if (!isRecord(raw))
    throw new FilterShapeError(`invalid type: ${unexpected(raw)}, expected struct FilterNode`);
  const node: FilterNode = {
    op: undefined,
    key: undefined,
    cmp: undefined,
    val: undefined,
    vals: [],
    nodes: [],
  };
  for (const [field, value] of Object.entries(raw)) {
    switch (field) {
      case 'op':
      case 'key':
      case 'cmp':
        node[field] = optionalString(value);
        break;
      case 'val':
        node.val = value === null || value === undefined ? undefined : valueText(value);
        break;
      case 'vals':
        node.vals = [...new Set(sequence(value).map(valueText))];
        break;
      case 'nodes':
        node.nodes = sequence(value).map((child) => readFilterNode(child, depth + 1));
        break;
    }
  }
  return node;
}

/** Rust Sockudo's `FilterNode::validate`: the first problem, depth first, or undefined. */
export function validateFilterNode(node: FilterNode): string | undefined {
  if (node.op !== undefined) {
    const { op } = node;
    if (!LOGICAL_OPS.has(op)) return `unknown logical operator: ${op}`;
    if (op === 'not') {
      if (node.nodes.length !== 1)
        return `not operation requires exactly one child node, got ${node.nodes.length}`;
    } else if (node.nodes.length === 0) {
      return `${op} operation requires at least one child node`;
    }
    for (const [i, child] of node.nodes.entries()) {
      const error = validateFilterNode(child);
      if (error !== undefined) return `Child node ${i}: ${error}`;
    }
    return undefined;
  }
  if (node.key === undefined || node.key === '') return 'Leaf node requires a non-empty key';
  const { cmp } = node;
  if (cmp === undefined) return 'Leaf node requires a comparison operator';
  if (!COMPARE_OPS.has(cmp)) return `unknown comparison operator: ${cmp}`;
  if (cmp === 'in' || cmp === 'nin') {
    return node.vals.length === 0 ? `${cmp} operation requires at least one value in vals` : undefined;
  }
  if (cmp === 'ex' || cmp === 'nex') return undefined;
  return node.val === undefined || node.val === '' ? `${cmp} operation requires a non-empty val` : undefined;
}
