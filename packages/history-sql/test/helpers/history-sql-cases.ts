// The tests both SQL history stores run against their real database, beyond the conformance suite:
// the tables are Rust Sockudo's (columns, indexes, what the rows hold), tables a Rust Sockudo created
// are used as they are, a pool handed in stays open, and a database that is not there is reported.

import { randomUUID } from 'node:crypto';
import type { HistoryStoreV1 } from '@sockudo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlHistoryStore } from '../../src/index.js';

/** The tests' own access to the database. */
export interface HistorySqlAdmin {
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  end(): Promise<void>;
}

/** How one database is reached and its store made. */
export interface HistorySqlDatabase<Pool> {
  name: string;
  require(): Promise<void>;
  admin(): HistorySqlAdmin;
  create(options: {
    tablePrefix: string;
    client?: Pool;
    url?: string;
    connectTimeoutMs?: number;
    createTables?: boolean;
  }): SqlHistoryStore & {
    pool: Pool;
  };
  /** Rust Sockudo's DDL for the two tables under `prefix`, as its store runs it. */
  rustSchema(prefix: string): string[];
  /** `[column, type, nullable]` of a table as information_schema reports them, in order. */
  columns(admin: HistorySqlAdmin, table: string): Promise<Array<[string, string, boolean]>>;
  indexes(admin: HistorySqlAdmin, table: string): Promise<string[]>;
  /** A URL whose port nothing listens on, with a password that must never be printed. */
  unreachableUrl(port: number, password: string): string;
}

/** Columns of Rust Sockudo's `_streams` and `_entries`, in its order. */
export const RUST_STREAM_COLUMNS = [
  'app_id',
  'channel',
  'stream_id',
  'next_serial',
  'durable_state',
  'durable_state_reason',
  'durable_state_node_id',
  'durable_state_changed_at_ms',
  'retained_messages',
  'retained_bytes',
  'oldest_available_serial',
  'newest_available_serial',
  'oldest_available_published_at_ms',
  'newest_available_published_at_ms',
  'updated_at_ms',
];
export const RUST_ENTRY_COLUMNS = [
  'app_id',
  'channel',
  'stream_id',
  'serial',
  'published_at_ms',
  'message_id',
  'event_name',
  'operation_kind',
  'payload_bytes',
  'payload_size_bytes',
  'metadata',
  'tombstone',
  'created_at',
];

export function historySqlCases<Pool>(db: HistorySqlDatabase<Pool>, freePort: () => Promise<number>): void {
  describe(`${db.name} history tables`, () => {
    let admin: HistorySqlAdmin;
    const prefixes: string[] = [];
    const opened: HistoryStoreV1[] = [];
    const prefix = () => {
      const p = `ht_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      prefixes.push(p);
      return p;
    };
    const store = (options: Parameters<typeof db.create>[0]) => {
      const created = db.create(options);
      opened.push(created);
      return created;
    };
    beforeAll(async () => {
      await db.require();
      admin = db.admin();
    });
    afterAll(async () => {
      await Promise.allSettled(opened.map((s) => s.close()));
      for (const p of prefixes) await admin.query(`DROP TABLE IF EXISTS ${p}_streams, ${p}_entries`);
      await admin.end();
    });

    it("creates Rust Sockudo's tables: the same columns, in order, and its two indexes", async () => {
      const p = prefix();
      await store({ tablePrefix: p }).migrate();
      const streams = await db.columns(admin, `${p}_streams`);
      const entries = await db.columns(admin, `${p}_entries`);
      expect(streams.map(([name]) => name)).toEqual(RUST_STREAM_COLUMNS);
      expect(entries.map(([name]) => name)).toEqual(RUST_ENTRY_COLUMNS);
      const nullable = (columns: Array<[string, string, boolean]>) =>
        columns.filter(([, , isNull]) => isNull).map(([name]) => name);
      expect(nullable(streams)).toEqual([
        'durable_state_reason',
        'durable_state_node_id',
        'durable_state_changed_at_ms',
        'oldest_available_serial',
        'newest_available_serial',
        'oldest_available_published_at_ms',
        'newest_available_published_at_ms',
      ]);
      expect(nullable(entries)).toEqual(['message_id', 'event_name', 'metadata']);
      expect(await db.indexes(admin, `${p}_entries`)).toEqual(
        expect.arrayContaining([`${p}_entries_app_channel_serial_idx`, `${p}_entries_app_channel_time_idx`]),
      );
      // Running it again (a restart, another node) changes nothing.
      await store({ tablePrefix: p }).migrate();
    });

    it('writes rows as Rust Sockudo does: next_serial is the next to assign, retained_* exact, payload in UTF-8', async () => {
      const p = prefix();
      const history = store({ tablePrefix: p });
      const appended = [];
      for (const payload of ['{"a":1}', 'ünï', '💬']) {
        appended.push(
          await history.append('app-1', 'chat', { payload, eventName: 'e', messageId: `m-${payload}` }),
        );
      }
      const [row] = await admin.query(
        `SELECT * FROM ${p}_streams WHERE app_id = 'app-1' AND channel = 'chat'`,
      );
      expect(row).toMatchObject({ stream_id: appended[0]!.streamId, durable_state: 'healthy' });
      expect(
        [
          row!.next_serial,
          row!.retained_messages,
          row!.retained_bytes,
          row!.oldest_available_serial,
          row!.newest_available_serial,
          row!.newest_available_published_at_ms,
        ].map(Number),
      ).toEqual([4, 3, 7 + 5 + 4, 1, 3, appended[2]!.publishedAtMs]);
      const rows = await admin.query(
        `SELECT serial, payload_bytes, payload_size_bytes, operation_kind, message_id FROM ${p}_entries ORDER BY serial`,
      );
      expect(
        rows.map((r) => [Number(r.serial), Buffer.from(r.payload_bytes as Buffer).toString('utf8')]),
      ).toEqual([
        [1, '{"a":1}'],
        [2, 'ünï'],
        [3, '💬'],
      ]);
      expect(rows.map((r) => Number(r.payload_size_bytes))).toEqual([7, 5, 4]);
      expect(rows[0]).toMatchObject({ operation_kind: 'append', message_id: 'm-{"a":1}' });
    });

    it('works on tables a Rust Sockudo created, continuing its streams', async () => {
      const p = prefix();
      for (const statement of db.rustSchema(p)) await admin.query(statement);
      // A stream Rust Sockudo started: next_serial 6, messages 4..5 retained.
      await admin.query(
        `INSERT INTO ${p}_streams (app_id, channel, stream_id, next_serial, retained_messages, retained_bytes,
          oldest_available_serial, newest_available_serial, oldest_available_published_at_ms,
          newest_available_published_at_ms, updated_at_ms) VALUES ('app-1', 'chat', 'rust-stream', 6, 2, 2, 4, 5, ?, ?, ?)`,
        [Date.now() - 10, Date.now() - 5, Date.now()],
      );
      const history = store({ tablePrefix: p, createTables: false });
      const next = await history.append('app-1', 'chat', { payload: 'from node' });
      expect([next.streamId, next.serial]).toEqual(['rust-stream', 6]);
      expect(await history.state('app-1', 'chat')).toMatchObject({
        streamId: 'rust-stream',
        nextSerial: 7,
        retainedMessages: 3,
        oldestSerial: 4,
        newestSerial: 6,
      });
    });

    it('uses a pool it is given and leaves it open on close()', async () => {
      const p = prefix();
      const first = store({ tablePrefix: p });
      await first.append('app-1', 'chat', { payload: 'x' });
      const borrowed = store({ tablePrefix: p, client: first.pool });
      expect((await borrowed.state('app-1', 'chat')).nextSerial).toBe(2);
      await borrowed.close();
      expect((await first.state('app-1', 'chat')).nextSerial).toBe(2);
    });

    it('rejects, naming the database and never the password, when the database is not there', async () => {
      const password = `pw-${randomUUID()}`;
      const history = store({
        tablePrefix: prefix(),
        url: db.unreachableUrl(await freePort(), password),
        connectTimeoutMs: 500,
      });
      const failure = await history.append('app-1', 'chat', { payload: 'x' }).catch((error: Error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/failed on .* at 127\.0\.0\.1:\d+/);
      expect((failure as Error).message).not.toContain(password);
      await expect(history.checkHealth()).rejects.toThrow();
    });
  });
}
