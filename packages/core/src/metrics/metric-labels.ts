// Label objects the engine reports with on hot paths, made once per app and frozen, so reporting a frame
// or a fan-out allocates nothing (and a metrics driver may memoise its conversion of them).

import type { MetricLabels } from '../spec/v1/index.js';

const byApp = new Map<string, MetricLabels>();

/** The shared, frozen `{ appId }` of an app. */
export function appLabels(appId: string): MetricLabels {
  let labels = byApp.get(appId);
  if (labels === undefined) {
    labels = Object.freeze({ appId });
    if (byApp.size >= 10_000) byApp.clear(); // bounded even if app ids churn; a miss costs one object
    byApp.set(appId, labels);
  }
  return labels;
}
