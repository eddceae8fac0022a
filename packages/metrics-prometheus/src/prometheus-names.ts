// Engine names → Prometheus names: label keys arrive camelCase (`appId`) and leave snake_case (`app_id`);
// anything Prometheus does not allow in a name becomes `_`, so a report can never fail registration.

const labelNames = new Map<string, string>();

/** The Prometheus label name of an engine label key: `appId` → `app_id`, `statusCode` → `status_code`. */
export function prometheusLabelName(key: string): string {
  let name = labelNames.get(key);
  if (name === undefined) {
    name = key
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .replace(/^(?=[0-9])/, '_')
      .replace(/^__+/, '_'); // `__` opens the names Prometheus reserves for itself
    if (labelNames.size < 1000) labelNames.set(key, name);
  }
  return name;
}

/** A metric name Prometheus accepts: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export function prometheusMetricName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}
