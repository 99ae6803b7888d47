// Versioned schema migrations, applied in order when a store opens, written once for both
// engines: a migration is a function of the dialect, which spells the few column types that
// differ (ids, times, JSON). Each migration runs in its own transaction together with its
// schema_migrations row, so it is applied exactly once; re-opening a migrated database applies
// nothing. Append new migrations; never edit one that has shipped.
import type { Db, Dialect } from './db.js';

export interface Migration {
  version: number;
  name: string;
  /** The migration's statements for this dialect (`d.id`, `d.time`, `d.json`, `d.tableOptions`). */
  up(d: Dialect): string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    up: (d) => `
      CREATE TABLE confirmations (
        id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        user_id TEXT NOT NULL,
        channel_id TEXT,
        target TEXT NOT NULL,
        payload ${d.json} NOT NULL,
        created_at ${d.time} NOT NULL,
        expires_at ${d.time} NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'done', 'cancelled')),
        result TEXT
      )${d.tableOptions};

      CREATE TABLE audit_log (
        id ${d.id},
        at ${d.time} NOT NULL,
        user_id TEXT NOT NULL,
        channel_id TEXT,
        operation TEXT NOT NULL,
        target TEXT,
        event TEXT NOT NULL,
        detail TEXT
      )${d.tableOptions};
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_target_at ON audit_log (target, at, id);

      CREATE TABLE port_watches (
        id ${d.id},
        channel_id TEXT NOT NULL,
        states ${d.json} NOT NULL,
        number TEXT,
        created_by TEXT NOT NULL,
        created_at ${d.time} NOT NULL
      )${d.tableOptions};
      CREATE INDEX port_watches_channel ON port_watches (channel_id);

      CREATE TABLE port_snapshots (
        port_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        data ${d.json} NOT NULL,
        seen_at ${d.time} NOT NULL
      )${d.tableOptions};

      CREATE TABLE outbox (
        id ${d.id},
        dedupe_key TEXT NOT NULL UNIQUE,
        channel_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload ${d.json} NOT NULL,
        created_at ${d.time} NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at ${d.time} NOT NULL,
        delivered_at ${d.time},
        last_error TEXT
      )${d.tableOptions};
      CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

      CREATE TABLE alert_threads (
        channel_id TEXT NOT NULL,
        port_id TEXT NOT NULL,
        ts TEXT NOT NULL,
        PRIMARY KEY (channel_id, port_id)
      )${d.tableOptions};

      CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      )${d.tableOptions};

      CREATE TABLE locks (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at ${d.time} NOT NULL
      )${d.tableOptions};
    `,
  },
  {
    version: 2,
    name: 'follow-ups and usage watches',
    up: (d) => `
      CREATE TABLE esim_followups (
        id ${d.id},
        mpn TEXT,
        iccid TEXT,
        i_account TEXT,
        channel_id TEXT NOT NULL,
        message_ts TEXT,
        file_id TEXT,
        requester_id TEXT NOT NULL,
        started_at ${d.time} NOT NULL,
        deadline_at ${d.time} NOT NULL,
        next_check_at ${d.time} NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        installed_at ${d.time},
        finished_at ${d.time}
      )${d.tableOptions};
      CREATE INDEX esim_followups_due ON esim_followups (next_check_at)
        WHERE status IN ('waiting', 'announcing_installed', 'announcing_timeout');

      CREATE TABLE usage_watches (
        id ${d.id},
        channel_id TEXT NOT NULL,
        mpn TEXT NOT NULL,
        threshold INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        created_at ${d.time} NOT NULL,
        period TEXT,
        threshold_alert INTEGER NOT NULL DEFAULT 0,
        full_alert INTEGER NOT NULL DEFAULT 0,
        last_percent ${d.engine === 'postgres' ? 'DOUBLE PRECISION' : 'REAL'},
        last_bundle TEXT,
        last_checked_at ${d.time},
        next_check_at ${d.time} NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        UNIQUE (channel_id, mpn)
      )${d.tableOptions};
      CREATE INDEX usage_watches_due ON usage_watches (next_check_at);
    `,
  },
  {
    version: 3,
    name: 'outbox delivery record and dead letters',
    // Items given up used to be marked delivered (their lastError began 'gave up:'): they move to
    // the dead-letter list, so that delivered always means Slack answered with a ts.
    up: (d) => `
      ALTER TABLE outbox ADD COLUMN port_id TEXT;
      ALTER TABLE outbox ADD COLUMN ts TEXT;
      ALTER TABLE outbox ADD COLUMN dead_at ${d.time};
      UPDATE outbox SET dead_at = delivered_at, delivered_at = NULL WHERE last_error LIKE 'gave up:%';
      CREATE INDEX outbox_pending_port ON outbox (channel_id, port_id, id)
        WHERE delivered_at IS NULL AND dead_at IS NULL;
      CREATE INDEX outbox_dead ON outbox (dead_at, id) WHERE dead_at IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'QR images deleted after QR_TTL_HOURS',
    up: (d) => `
      CREATE TABLE qr_expiries (
        file_id TEXT PRIMARY KEY,
        channel_id TEXT NOT NULL,
        message_ts TEXT,
        poster_id TEXT NOT NULL,
        mpn TEXT,
        iccid TEXT,
        i_account TEXT,
        posted_at ${d.time} NOT NULL,
        delete_at ${d.time} NOT NULL,
        next_try_at ${d.time} NOT NULL,
        done_at ${d.time}
      )${d.tableOptions};
      CREATE INDEX qr_expiries_due ON qr_expiries (next_try_at) WHERE done_at IS NULL;
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

/**
 * Applies the pending migrations; returns the versions applied by this call. Two instances
 * starting at once take turns, and the second finds the work done: SQLite's IMMEDIATE
 * transaction takes the write lock before the check, PostgreSQL's steps each hold a
 * transaction-scoped advisory lock.
 */
export async function migrate(db: Db, dialect: Dialect): Promise<number[]> {
  const serialise = async (tx: Db) => {
    if (dialect.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(?)', [PG_MIGRATION_LOCK]);
  };
  await db.transaction(async (tx) => {
    await serialise(tx);
    await tx.exec(SCHEMA_MIGRATIONS_TABLE);
  });
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    const ran = await db.transaction(async (tx) => {
      await serialise(tx);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = ?', [m.version]);
      if (done.rows.length > 0) return false;
      await tx.exec(m.up(dialect));
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
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
