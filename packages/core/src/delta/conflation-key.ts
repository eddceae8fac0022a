// The conflation key of a message: the value at a dotted path (`asset`, `data.symbol`), read as Rust
// Sockudo's `extract_conflation_key_with_path` reads it, so the same messages share a base there and here.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

/**
 * The value at `path` in `frame` (a whole frame's JSON: `{"event","channel","data",...}`), as text; ''
 * when it is not there. A one-part path not found at the top is looked up in `data` too, whether `data`
 * is an object or (as Pusher sends it) a JSON string.
 */
export function conflationKeyOf(frame: string, path: string): string {
  let root: unknown;
  try {
    root = JSON.parse(frame);
  } catch {
    return '';
  }
  const parts = path.split('.');
  let current = root;
  for (const part of parts) {
    if (!isRecord(current) || !Object.hasOwn(current, part)) {
      if (parts.length !== 1) return '';
      const data = isRecord(root) ? root.data : undefined;
      const inData = isRecord(data) ? data : typeof data === 'string' ? parsedObject(data) : undefined;
      return inData !== undefined && Object.hasOwn(inData, part) ? keyText(inData[part]) : '';
    }
    current = current[part];
  }
  return keyText(current);
}

function parsedObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
