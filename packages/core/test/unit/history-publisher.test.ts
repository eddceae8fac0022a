// The publisher keeps a channel's broadcasts in serial order, and keeps many appends in flight only
// when the store promises serials in call order (HistoryStoreV1.orderedAppends).

import { describe, expect, it } from 'vitest';
import type { App } from '../../src/apps/app.js';
import type { EngineContext } from '../../src/engine/engine-context.js';
import {
  resolveConnectionRecoverySettings,
  resolveHistorySettings,
} from '../../src/engine/history-settings.js';
import { publishWithHistory } from '../../src/history/history-publisher.js';
import { createMemoryHistoryStore } from '../../src/memory/memory-history-store.js';
import { noopMetrics } from '../../src/metrics/noop-metrics.js';
import type { HistoryStoreV1 } from '../../src/spec/v1/index.js';
import { v2FieldsOf } from '../../src/wire/v2-frames.js';

/** A memory store whose appends take `delayMs` each and that counts how many are in flight at once. */
function slowStore(orderedAppends: boolean, delayMs: number) {
  const inner = createMemoryHistoryStore();
  let inFlight = 0;
  const seen = { maxInFlight: 0 };
  const store: HistoryStoreV1 = {
    ...inner,
    orderedAppends,
    async append(...args) {
      inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
      const result = inner.append(...args); // serials in call order, as the flag promises
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight--;
      return result;
    },
  };
  return { store, seen };
}

function contextWith(history: HistoryStoreV1): EngineContext {
  return {
    history,
    metrics: noopMetrics,
    historySettings: resolveHistorySettings({ enabled: true }),
    recoverySettings: resolveConnectionRecoverySettings({}),
  } as unknown as EngineContext;
}

const app = { id: 'app-1' } as App;

async function publishBurst(ctx: EngineContext, count: number): Promise<number[]> {
  const serials: number[] = [];
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      publishWithHistory(
        ctx,
        app,
        'prices',
        `{"event":"tick","data":"${i}"}`,
        'tick',
        false,
        async (frame) => {
          serials.push(Number(v2FieldsOf(frame).get('serial')));
        },
      ),
    ),
  );
  return serials;
}

describe('publishWithHistory', () => {
  it('keeps every append of a burst in flight at once when the store orders appends, and broadcasts in serial order', async () => {
    const { store, seen } = slowStore(true, 5);
    const serials = await publishBurst(contextWith(store), 20);
    expect(serials).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(seen.maxInFlight).toBe(20);
  });

  it('appends one at a time when the store does not promise call order', async () => {
    const { store, seen } = slowStore(false, 1);
    const serials = await publishBurst(contextWith(store), 20);
    expect(serials).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(seen.maxInFlight).toBe(1);
  });

  it('broadcasts nothing for a failed append and goes on with the next message', async () => {
    const { store } = slowStore(true, 1);
    let calls = 0;
    const failing: HistoryStoreV1 = {
      ...store,
      append: (...args) => (++calls === 2 ? Promise.reject(new Error('down')) : store.append(...args)),
    };
    const ctx = contextWith(failing);
    const sent: string[] = [];
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((data) =>
        publishWithHistory(
          ctx,
          app,
          'prices',
          `{"event":"tick","data":"${data}"}`,
          'tick',
          false,
          async (f) => {
            sent.push(f);
          },
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sent.map((f) => JSON.parse(f).data)).toEqual(['a', 'c']);
  });
});
