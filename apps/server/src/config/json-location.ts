// Where a JSON text is broken, as line and column. V8's JSON.parse messages do not always carry a
// position ("Unexpected token '}', ... is not valid JSON"), so this small scanner finds the first error.

/** The first syntax error of a JSON text. */
export interface JsonSyntaxProblem {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** What the scanner expected, e.g. "expected a value, got '}'". */
  reason: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function scan(text: string): void {
  let i = 0;
  const found = (): string => (i >= text.length ? 'end of file' : `'${text[i]}'`);
  const stop = (what: string): never => {
    throw new Stop(i, `expected ${what}, got ${found()}`);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
  };
  const string = (): void => {
    if (text[i] !== '"') stop('a double-quoted string');
    i += 1;
    while (i < text.length && text[i] !== '"') {
      const ch = text[i]!;
      if (ch < ' ') stop('no raw control characters inside a string (use \\n)');
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 1;
            stop('four hex digits after \\u');
          }
          i += 6;
          continue;
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) {
          i += 1;
          stop('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)');
        }
        i += 2;
        continue;
      }
      i += 1;
    }
    if (i >= text.length) stop('a closing "');
    i += 1;
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === '{') {
      i += 1;
      space();
      if (text[i] === '}') {
        i += 1;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"') stop('a double-quoted property name');
        string();
        space();
        if (text[i] !== ':') stop("':'");
        i += 1;
        value();
        space();
        if (text[i] === ',') {
          i += 1;
          space();
          if (text[i] === '}') stop('another property after , (trailing commas are not allowed)');
          continue;
        }
        if (text[i] === '}') {
          i += 1;
          return;
        }
        stop("',' or '}'");
      }
    }
    if (ch === '[') {
      i += 1;
      space();
      if (text[i] === ']') {
        i += 1;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[i] === ',') {
          i += 1;
          space();
          if (text[i] === ']') stop('another value after , (trailing commas are not allowed)');
          continue;
        }
        if (text[i] === ']') {
          i += 1;
          return;
        }
        stop("',' or ']'");
      }
    }
    if (ch === '"') {
      string();
      return;
    }
    const literal = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!literal) stop('a value');
    i += literal![0].length;
  };
  value();
  space();
  if (i < text.length) stop('end of file after the top-level value');
}

/** Line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  try {
    scan(text);
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { ...lineAndColumn(text, error.offset), reason: error.reason };
  }
}
