import type { Logger } from '@sockudo/core';

export interface RecordingLogger extends Logger {
  readonly lines: Array<{ level: string; message: string }>;
}

/** A Logger that keeps what it is told. */
export function recordingLogger(): RecordingLogger {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
