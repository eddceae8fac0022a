// D1's event data: a JSON state of about `--payload` bytes (rows of a ticker) of which each update
// changes about one value in twenty, as a live dashboard or order book does.

/** Returns a function giving each next update's data string. */
export function createStateUpdates(payloadBytes: number, seed = 1): () => string {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  const rows: Array<{ id: string; bid: number; ask: number; qty: number; st: string }> = [];
  const size = () => JSON.stringify({ n: 0, rows }).length;
  while (size() < payloadBytes) {
    const i = rows.length;
    rows.push({ id: `sym-${i}`, bid: 100 + i, ask: 101 + i, qty: 10 * i, st: 'open' });
  }
  const fields = ['bid', 'ask', 'qty'] as const;
  // 5 values per row (id, bid, ask, qty, st): about 5 % of them change per update.
  const changes = Math.max(1, Math.round(rows.length * 5 * 0.05));
  let n = 0;
  return () => {
    for (let c = 0; c < changes; c++) {
      const row = rows[Math.floor(random() * rows.length)]!;
      const field = fields[Math.floor(random() * fields.length)]!;
      row[field] = Math.round((row[field] + (random() - 0.5) * 4) * 100) / 100;
    }
    return JSON.stringify({ n: n++, rows });
  };
}
