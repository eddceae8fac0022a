// Finds and reads the config file: `-c <file>`, else `config/config.json` in the working directory (as
// Rust Sockudo does), with `${VAR}` substitution, and reports broken JSON by line and column.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigIssue } from './config-issue.js';
import { substituteEnvVars } from './env-substitution.js';
import { findJsonSyntaxProblem } from './json-location.js';

/** The default config file, relative to the working directory. */
export const DEFAULT_CONFIG_FILE = 'config/config.json';

/** What {@link readConfigFile} found. */
export interface ConfigFileResult {
  /** The file as the user named it (or {@link DEFAULT_CONFIG_FILE}); undefined when none was read. */
  file?: string;
  /** The parsed top-level object. */
  data?: Record<string, unknown>;
  errors: ConfigIssue[];
  warnings: string[];
}

/** Reads the config file named by `file`, or the default one when it exists. */
export function readConfigFile(options: {
  file?: string;
  cwd: string;
  env: Record<string, string | undefined>;
}): ConfigFileResult {
  const result: ConfigFileResult = { errors: [], warnings: [] };
  let shown: string;
  let path: string;
  if (options.file !== undefined) {
    shown = options.file;
    path = resolve(options.cwd, options.file);
    if (!existsSync(path)) {
      result.errors.push({ key: '--config', message: `--config: file not found: ${shown}` });
      return result;
    }
    if (statSync(path).isDirectory()) {
      result.errors.push({
        key: '--config',
        message: `--config: ${shown} is a directory, expected a JSON file`,
      });
      return result;
    }
    if (/\.toml$/i.test(path)) {
      result.errors.push({
        key: '--config',
        message: `--config: ${shown}: TOML config files are not supported yet in this release; use JSON`,
      });
      return result;
    }
  } else {
    shown = DEFAULT_CONFIG_FILE;
    path = resolve(options.cwd, DEFAULT_CONFIG_FILE);
    if (!existsSync(path)) {
      if (existsSync(resolve(options.cwd, 'config/config.toml'))) {
        result.warnings.push(
          'config/config.toml is ignored: TOML config files are not supported yet in this release; convert it to config/config.json',
        );
      }
      return result;
    }
  }
  result.file = shown;

  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    result.errors.push({ key: shown, message: `${shown}: cannot read: ${(error as Error).message}` });
    return result;
  }
  const substituted = substituteEnvVars(text, options.env);
  for (const name of substituted.missing) {
    result.warnings.push(`${shown}: \${${name}} is not set; substituted an empty string`);
  }

  if (substituted.text.trim() === '') {
    result.errors.push({ key: shown, message: `${shown}: the file is empty; expected a JSON object` });
    return result;
  }
  let data: unknown;
  try {
    data = JSON.parse(substituted.text);
  } catch (error) {
    const problem = findJsonSyntaxProblem(substituted.text);
    const where = problem ? ` at line ${problem.line}, column ${problem.column}` : '';
    const reason = problem ? problem.reason : (error as Error).message;
    result.errors.push({ key: shown, message: `${shown}: invalid JSON${where}: ${reason}` });
    return result;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    result.errors.push({ key: shown, message: `${shown}: expected a JSON object at the top level` });
    return result;
  }
  result.data = data as Record<string, unknown>;
  return result;
}
