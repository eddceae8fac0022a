// The plan of a driver that comes from a package (`"driver": "sockudo-adapter-x"`): which package, the
// contract kind it must provide, and its options (`<section>.options`). Pure, like the other plans.

import type { DriverKind } from '@sockudo/core';
import type { DriverSection } from './driver-names.js';
import type { DriverTarget } from './driver-plan.js';
import { isSecretName } from './mask-secrets.js';
import type { ResolvedConfig } from './resolved-config.js';

/** A driver loaded from a package by `sockudo start`. */
export interface PackageDriverPlan<Kind extends DriverKind = DriverKind> extends DriverTarget {
  driver: 'package';
  /** The contract the package's `sockudoDriver.kind` must name: the config section's name. */
  kind: Kind;
  /** The package (as written in config), e.g. `sockudo-adapter-pg-notify`. */
  package: string;
  /** `adapter.driver`, ...: the key that named the package, for messages. */
  configKey: string;
  /** `adapter.options`, ...: where the options came from, for messages. */
  optionsKey: string;
  /** `<section>.options` as plain JSON (`${VAR}` already substituted); `{}` when unset. */
  options: Record<string, unknown>;
}

/** String values under secret-looking keys (`password`, `token`, ...) anywhere in `value`. */
export function secretValues(value: unknown, name?: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => secretValues(item, name));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => secretValues(item, key));
  }
  return name !== undefined && isSecretName(name) && typeof value === 'string' && value !== '' ? [value] : [];
}

/** The plan of the package driver named by `<section>.driver`. */
export function planPackageDriver<Kind extends DriverSection>(
  config: ResolvedConfig,
  section: Kind,
): PackageDriverPlan<Kind> {
  const settings = config[section] as { driver: string; options?: unknown };
  const options =
    typeof settings.options === 'object' && settings.options !== null && !Array.isArray(settings.options)
      ? (settings.options as Record<string, unknown>)
      : {};
  return {
    driver: 'package',
    kind: section,
    package: settings.driver,
    configKey: `${section}.driver`,
    optionsKey: `${section}.options`,
    options,
    address: `package ${settings.driver}`,
    secrets: secretValues(options),
  };
}
