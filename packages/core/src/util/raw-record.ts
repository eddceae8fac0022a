// Reading parsed JSON nobody has checked yet (client frames, config records, stored rows): the one
// object test and the snake_case → camelCase key spelling the engine accepts alongside Rust Sockudo's.

/** A parsed JSON object, not yet checked field by field. */
export type RawRecord = Record<string, unknown>;

/** Whether `value` is a JSON object (not an array, not null). */
export function isRecord(value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `max_presence_members_per_channel` → `maxPresenceMembersPerChannel`. */
export function camelCase(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
