// Versioned schema migrations, applied in order when a store opens. Each migration runs in
// its own transaction together with its schema_migrations row, so it is applied exactly
// once; re-opening a migrated database applies nothing. Append new migrations; never edit
// one that has shipped.
import type BetterSqlite3 from 'better-sqlite3';
import type { Pool } from 'pg';
import { inTransaction } from './pg-transaction.js';

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sqlite: `
      CREATE TABLE confirmations (
        id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        user_id TEXT NOT NULL,
        channel_id TEXT,
        target TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'done', 'cancelled')),
        result TEXT
      ) STRICT;

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        channel_id TEXT,
        operation TEXT NOT NULL,
        target TEXT,
        event TEXT NOT NULL,
        detail TEXT
      ) STRICT;
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_target_at ON audit_log (target, at, id);

      CREATE TABLE port_watches (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel_id TEXT NOT NULL,
        states TEXT NOT NULL,
        number TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX port_watches_channel ON port_watches (channel_id);

      CREATE TABLE port_snapshots (
        port_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        seen_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dedupe_key TEXT NOT NULL UNIQUE,
        channel_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        delivered_at INTEGER,
        last_error TEXT
      ) STRICT;
      CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

      CREATE TABLE alert_threads (
        channel_id TEXT NOT NULL,
        port_id TEXT NOT NULL,
        ts TEXT NOT NULL,
        PRIMARY KEY (channel_id, port_id)
      ) STRICT;

      CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE locks (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
    `,
    postgres: `
      CREATE TABLE confirmations (
        id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        user_id TEXT NOT NULL,
        channel_id TEXT,
        target TEXT NOT NULL,
        payload JSONB NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'done', 'cancelled')),
        result TEXT
      );

      CREATE TABLE audit_log (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at BIGINT NOT NULL,
        user_id TEXT NOT NULL,
        channel_id TEXT,
        operation TEXT NOT NULL,
        target TEXT,
        event TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_target_at ON audit_log (target, at, id);

      CREATE TABLE port_watches (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        channel_id TEXT NOT NULL,
        states JSONB NOT NULL,
        number TEXT,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX port_watches_channel ON port_watches (channel_id);

      CREATE TABLE port_snapshots (
        port_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        data JSONB NOT NULL,
        seen_at BIGINT NOT NULL
      );

      CREATE TABLE outbox (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        channel_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload JSONB NOT NULL,
        created_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        delivered_at BIGINT,
        last_error TEXT
      );
      CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

      CREATE TABLE alert_threads (
        channel_id TEXT NOT NULL,
        port_id TEXT NOT NULL,
        ts TEXT NOT NULL,
        PRIMARY KEY (channel_id, port_id)
      );

      CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE locks (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
];

const SCHEMA_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`;

/** Any fixed number; advisory locks are per database, so this only serialises our migrators. */
const PG_MIGRATION_LOCK = 4_171_905_623;

/** Applies the pending migrations; returns the versions applied by this call. */
export function migrateSqlite(db: BetterSqlite3.Database): number[] {
  db.exec(SCHEMA_MIGRATIONS_TABLE);
  const isApplied = db.prepare<[number], { version: number }>(
    'SELECT version FROM schema_migrations WHERE version = ?',
  );
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  // IMMEDIATE takes the write lock before the check, so a second process waits, then skips.
  const applyOne = db.transaction((m: Migration): boolean => {
    if (isApplied.get(m.version)) return false;
    db.exec(m.sqlite);
    record.run(m.version, m.name, Date.now());
    return true;
  });
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (applyOne.immediate(m)) applied.push(m.version);
  }
  return applied;
}

/**
 * Applies the pending migrations; returns the versions applied by this call. Every step
 * holds a transaction-scoped advisory lock, so two instances starting at once take turns
 * and the second finds the work done.
 */
export async function migratePostgres(pool: Pool): Promise<number[]> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PG_MIGRATION_LOCK]);
    await client.query(SCHEMA_MIGRATIONS_TABLE);
  });
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    const ran = await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PG_MIGRATION_LOCK]);
      const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (done.rowCount) return false;
      await client.query(m.postgres);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      return true;
    });
    if (ran) applied.push(m.version);
  }
  return applied;
}
