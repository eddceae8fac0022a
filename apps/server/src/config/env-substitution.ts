// `${VAR}` and `${VAR:-default}` in config file text, as Rust Sockudo supports. Inside a JSON string
// the value is escaped, so a secret containing `"` or `\` cannot break the file; outside a string it is
// inserted as is, so `"port": ${PORT:-6001}` stays a number.

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/y;

/** The result of {@link substituteEnvVars}. */
export interface Substitution {
  text: string;
  /** Variables referenced without a default that are not set (each replaced by ""). */
  missing: string[];
}

/**
 * Replaces `${VAR}` with the variable's value and `${VAR:-default}` with the value, or `default` when the
 * variable is unset or empty (shell semantics).
 */
export function substituteEnvVars(text: string, env: Record<string, string | undefined>): Substitution {
  const missing: string[] = [];
  let out = '';
  let inString = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '$' && text[i + 1] === '{') {
      REFERENCE.lastIndex = i;
      const match = REFERENCE.exec(text);
      if (match) {
        const [whole, name, fallback] = match;
        const set = env[name!];
        let value: string;
        if (fallback !== undefined) value = set === undefined || set === '' ? fallback : set;
        else if (set === undefined) {
          if (!missing.includes(name!)) missing.push(name!);
          value = '';
        } else value = set;
        out += inString ? JSON.stringify(value).slice(1, -1) : value;
        i += whole.length;
        continue;
      }
    }
    if (inString && ch === '\\') {
      out += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === '"') inString = !inString;
    out += ch;
    i += 1;
  }
  return { text: out, missing };
}
