// The Store on SQLite (better-sqlite3, synchronous). One process owns the connection; WAL
// and a busy timeout let a second process (a CLI, a second instance) share the file.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { migrateSqlite } from './migrations.js';
import {
  type AlertThreadRow,
  type AuditRow,
  type ConfirmationRow,
  type OutboxRow,
  refusedClaim,
  type SnapshotRow,
  toAlertThread,
  toAuditEntry,
  toConfirmation,
  toOutboxItem,
  toPortSnapshot,
  toPortWatch,
  type WatchRow,
} from './rows.js';
import type {
  AlertThread,
  AuditEntry,
  ClaimResult,
  Confirmation,
  NewAuditEntry,
  NewConfirmation,
  NewOutboxItem,
  NewPortWatch,
  OutboxItem,
  PortSnapshot,
  PortWatch,
  Store,
} from './types.js';

type PortPollChanges = Parameters<Store['applyPortPoll']>[0];

const IN_MEMORY = ':memory:';

/** Opens (creating if needed) the database file at `path`, relative to the working directory. */
export async function openSqliteStore(path: string): Promise<Store> {
  const file = path === IN_MEMORY ? IN_MEMORY : resolve(path);
  if (file !== IN_MEMORY) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5000 }); // busy_timeout
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrateSqlite(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteStore(db);
}

class SqliteStore implements Store {
  readonly engine = 'sqlite';

  constructor(private readonly db: Database.Database) {}

  async createConfirmation(c: NewConfirmation): Promise<Confirmation> {
    const row = this.db
      .prepare<unknown[], ConfirmationRow>(
        `INSERT INTO confirmations
           (id, operation, user_id, channel_id, target, payload, created_at, expires_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING *`,
      )
      .get(
        c.id,
        c.operation,
        c.userId,
        c.channelId,
        c.target,
        JSON.stringify(c.payload),
        c.createdAt,
        c.expiresAt,
      );
    return toConfirmation(row!);
  }

  async getConfirmation(id: string): Promise<Confirmation | null> {
    const row = this.selectConfirmation(id);
    return row ? toConfirmation(row) : null;
  }

  async abandonedClaims(expiredBefore: number): Promise<Confirmation[]> {
    return this.db
      .prepare<[number], ConfirmationRow>(
        `SELECT * FROM confirmations WHERE status = 'claimed' AND expires_at < ? ORDER BY created_at`,
      )
      .all(expiredBefore)
      .map(toConfirmation);
  }

  async claimConfirmation(id: string, userId: string, now: number): Promise<ClaimResult> {
    const claimed = this.db
      .prepare<[string, string, number], ConfirmationRow>(
        `UPDATE confirmations SET status = 'claimed'
         WHERE id = ? AND status = 'pending' AND user_id = ? AND expires_at > ?
         RETURNING *`,
      )
      .get(id, userId, now);
    if (claimed) return { kind: 'claimed', confirmation: toConfirmation(claimed) };
    return refusedClaim(this.selectConfirmation(id), userId, now);
  }

  async finishConfirmation(id: string, result: string): Promise<void> {
    const { changes } = this.db
      .prepare<[string, string]>(
        `UPDATE confirmations SET status = 'done', result = ? WHERE id = ? AND status = 'claimed'`,
      )
      .run(result, id);
    if (changes === 0) throw new Error(`confirmation ${id} is not claimed, cannot finish it`);
  }

  async cancelConfirmation(id: string, userId: string): Promise<boolean> {
    const { changes } = this.db
      .prepare<[string, string]>(
        `UPDATE confirmations SET status = 'cancelled' WHERE id = ? AND user_id = ? AND status = 'pending'`,
      )
      .run(id, userId);
    return changes === 1;
  }

  async appendAudit(e: NewAuditEntry): Promise<AuditEntry> {
    const row = this.db
      .prepare<unknown[], AuditRow>(
        `INSERT INTO audit_log (at, user_id, channel_id, operation, target, event, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(e.at, e.userId, e.channelId, e.operation, e.target, e.event, e.detail);
    return toAuditEntry(row!);
  }

  async listAudit(opts: { target?: string; limit: number }): Promise<AuditEntry[]> {
    const rows =
      opts.target === undefined
        ? this.db
            .prepare<[number], AuditRow>('SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?')
            .all(opts.limit)
        : this.db
            .prepare<[string, string, number], AuditRow>(
              `SELECT * FROM audit_log WHERE target = ? OR instr(detail, ?) > 0
               ORDER BY at DESC, id DESC LIMIT ?`,
            )
            .all(opts.target, opts.target, opts.limit);
    return rows.map(toAuditEntry);
  }

  async addWatch(w: NewPortWatch): Promise<PortWatch> {
    const row = this.db
      .prepare<unknown[], WatchRow>(
        `INSERT INTO port_watches (channel_id, states, number, created_by, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(w.channelId, JSON.stringify(w.states), w.number, w.createdBy, w.createdAt);
    return toPortWatch(row!);
  }

  async removeWatches(channelId: string): Promise<number> {
    return this.db.prepare<[string]>('DELETE FROM port_watches WHERE channel_id = ?').run(channelId).changes;
  }

  async listWatches(channelId?: string): Promise<PortWatch[]> {
    const rows =
      channelId === undefined
        ? this.db.prepare<[], WatchRow>('SELECT * FROM port_watches ORDER BY id').all()
        : this.db
            .prepare<[string], WatchRow>('SELECT * FROM port_watches WHERE channel_id = ? ORDER BY id')
            .all(channelId);
    return rows.map(toPortWatch);
  }

  async getPortSnapshots(): Promise<PortSnapshot[]> {
    const rows = this.db.prepare<[], SnapshotRow>('SELECT * FROM port_snapshots ORDER BY port_id').all();
    return rows.map(toPortSnapshot);
  }

  async applyPortPoll(changes: PortPollChanges): Promise<void> {
    const upsert = this.db.prepare<[string, string, string, number]>(
      `INSERT INTO port_snapshots (port_id, status, data, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (port_id) DO UPDATE
         SET status = excluded.status, data = excluded.data, seen_at = excluded.seen_at`,
    );
    const remove = this.db.prepare<[string]>('DELETE FROM port_snapshots WHERE port_id = ?');
    this.db
      .transaction(() => {
        for (const s of changes.upserts) upsert.run(s.portId, s.status, JSON.stringify(s.data), s.seenAt);
        for (const portId of changes.deletes) remove.run(portId);
        this.insertOutbox(changes.outbox, changes.now ?? Date.now());
        for (const [key, value] of Object.entries(changes.kv ?? {})) this.writeKv(key, value);
      })
      .immediate();
  }

  async enqueueOutbox(items: NewOutboxItem[], now = Date.now()): Promise<void> {
    this.db.transaction(() => this.insertOutbox(items, now)).immediate();
  }

  async dueOutbox(now: number, limit: number, perChannel = limit): Promise<OutboxItem[]> {
    const rows = this.db
      .prepare<[number, number, number], OutboxRow>(
        `SELECT * FROM (
           SELECT *, ROW_NUMBER() OVER (PARTITION BY channel_id ORDER BY created_at, id) AS nth
           FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?
         ) WHERE nth <= ? ORDER BY created_at, id LIMIT ?`,
      )
      .all(now, perChannel, limit);
    return rows.map(toOutboxItem);
  }

  async markOutboxDelivered(id: number, now: number): Promise<void> {
    this.db.prepare<[number, number]>('UPDATE outbox SET delivered_at = ? WHERE id = ?').run(now, id);
  }

  async markOutboxFailed(id: number, nextAttemptAt: number, error: string): Promise<void> {
    this.db
      .prepare<[number, string, number]>(
        'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
      )
      .run(nextAttemptAt, error, id);
  }

  async getAlertThread(channelId: string, portId: string): Promise<AlertThread | null> {
    const row = this.db
      .prepare<[string, string], AlertThreadRow>(
        'SELECT * FROM alert_threads WHERE channel_id = ? AND port_id = ?',
      )
      .get(channelId, portId);
    return row ? toAlertThread(row) : null;
  }

  async setAlertThread(t: AlertThread): Promise<void> {
    this.db
      .prepare<[string, string, string]>(
        `INSERT INTO alert_threads (channel_id, port_id, ts) VALUES (?, ?, ?)
         ON CONFLICT (channel_id, port_id) DO UPDATE SET ts = excluded.ts`,
      )
      .run(t.channelId, t.portId, t.ts);
  }

  async getKv(key: string): Promise<string | null> {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?').get(key);
    return row?.value ?? null;
  }

  async setKv(key: string, value: string | null): Promise<void> {
    this.writeKv(key, value);
  }

  async tryLock(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean> {
    // Takes a free name, renews our own lease, or takes over an expired one; a live lease
    // of another holder makes the DO UPDATE's WHERE false, so no row changes.
    const { changes } = this.db
      .prepare<[string, string, number, number]>(
        `INSERT INTO locks (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE locks.holder = excluded.holder OR locks.expires_at <= ?`,
      )
      .run(name, holderId, now + ttlMs, now);
    return changes === 1;
  }

  async releaseLock(name: string, holderId: string): Promise<void> {
    this.db.prepare<[string, string]>('DELETE FROM locks WHERE name = ? AND holder = ?').run(name, holderId);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private selectConfirmation(id: string): ConfirmationRow | undefined {
    return this.db.prepare<[string], ConfirmationRow>('SELECT * FROM confirmations WHERE id = ?').get(id);
  }

  private insertOutbox(items: NewOutboxItem[], now: number): void {
    const insert = this.db.prepare<[string, string, string, string, number, number]>(
      `INSERT INTO outbox (dedupe_key, channel_id, kind, payload, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    );
    for (const item of items) {
      insert.run(item.dedupeKey, item.channelId, item.kind, JSON.stringify(item.payload), now, now);
    }
  }

  private writeKv(key: string, value: string | null): void {
    if (value === null) {
      this.db.prepare<[string]>('DELETE FROM kv WHERE key = ?').run(key);
    } else {
      this.db
        .prepare<[string, string]>(
          'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        )
        .run(key, value);
    }
  }
}
