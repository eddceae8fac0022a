// The plan of a driver that comes from a package (`"driver": "sockudo-adapter-x"`): which package, the
// contract kind it must provide, and its options (`<section>.options`). Pure, like the other plans.

import type { DriverSection } from '../driver-names.js';
import { isSecretName } from '../mask-secrets.js';
import type { ResolvedConfig } from '../resolved-config.js';
import type { PackageDriverPlan } from './plans.js';

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
