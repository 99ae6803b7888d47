// The Store, written once in SQL both engines understand. An engine (sqlite.ts, postgres.ts)
// supplies the connection (Db), its dialect, and a faster way to write many snapshots where it
// has one; everything else is here. Every state change that must happen once (claims, leases,
// outbox dedupe) is one conditional statement, so it holds with several instances on one database.
import type { Db, Dialect } from './db.js';
import {
  type AlertThreadRow,
  type AuditRow,
  type ConfirmationRow,
  type EsimFollowUpRow,
  type OutboxRow,
  type QrExpiryRow,
  refusedClaim,
  type SnapshotRow,
  toAlertThread,
  toAuditEntry,
  toConfirmation,
  toEsimFollowUp,
  toOutboxItem,
  toPortSnapshot,
  toPortWatch,
  toQrExpiry,
  toUsageWatch,
  type UsageWatchRow,
  type WatchRow,
} from './rows.js';
import type {
  AlertThread,
  AuditEntry,
  ClaimResult,
  Confirmation,
  EsimFollowUp,
  EsimFollowUpStatus,
  NewAuditEntry,
  NewConfirmation,
  NewEsimFollowUp,
  NewOutboxItem,
  NewPortWatch,
  NewUsageWatch,
  OutboxItem,
  PortSnapshot,
  PortWatch,
  QrExpiry,
  Store,
  UsageWatch,
} from './types.js';

type PortPollChanges = Parameters<Store['applyPortPoll']>[0];

export interface Engine {
  readonly dialect: Dialect;
  readonly db: Db;
  /** Writes many snapshots inside `tx` in few statements; without it, one statement per snapshot. */
  writeSnapshots?(tx: Db, upserts: readonly PortSnapshot[], deletes: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const UPSERT_SNAPSHOT = `
  INSERT INTO port_snapshots (port_id, status, data, seen_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (port_id) DO UPDATE
    SET status = excluded.status, data = excluded.data, seen_at = excluded.seen_at`;

const SNAPSHOT_PAGE = 'SELECT * FROM port_snapshots ORDER BY port_id';
const SNAPSHOT_PAGE_AFTER = 'SELECT * FROM port_snapshots WHERE port_id > ? ORDER BY port_id';

export function createSqlStore(engine: Engine): Store {
  return new SqlStore(engine);
}

class SqlStore implements Store {
  readonly engine: Store['engine'];
  private readonly db: Db;

  constructor(private readonly impl: Engine) {
    this.engine = impl.dialect.engine;
    this.db = impl.db;
  }

  async createConfirmation(c: NewConfirmation): Promise<Confirmation> {
    const { rows } = await this.db.query<ConfirmationRow>(
      `INSERT INTO confirmations
         (id, operation, user_id, channel_id, target, payload, created_at, expires_at, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING *`,
      [
        c.id,
        c.operation,
        c.userId,
        c.channelId,
        c.target,
        JSON.stringify(c.payload),
        c.createdAt,
        c.expiresAt,
      ],
    );
    return toConfirmation(rows[0]!);
  }

  async getConfirmation(id: string): Promise<Confirmation | null> {
    const row = await this.selectConfirmation(id);
    return row ? toConfirmation(row) : null;
  }

  async abandonedClaims(expiredBefore: number): Promise<Confirmation[]> {
    const { rows } = await this.db.query<ConfirmationRow>(
      `SELECT * FROM confirmations WHERE status = 'claimed' AND expires_at < ? ORDER BY created_at`,
      [expiredBefore],
    );
    return rows.map(toConfirmation);
  }

  async claimConfirmation(id: string, userId: string, now: number): Promise<ClaimResult> {
    // Concurrent claims queue on the row (PostgreSQL) or the database (SQLite); once the winner
    // commits, the others find status = 'pending' false and update nothing.
    const { rows } = await this.db.query<ConfirmationRow>(
      `UPDATE confirmations SET status = 'claimed'
       WHERE id = ? AND status = 'pending' AND user_id = ? AND expires_at > ?
       RETURNING *`,
      [id, userId, now],
    );
    const claimed = rows[0];
    if (claimed) return { kind: 'claimed', confirmation: toConfirmation(claimed) };
    return refusedClaim(await this.selectConfirmation(id), userId, now);
  }

  async finishConfirmation(id: string, result: string): Promise<void> {
    const { changes } = await this.db.query(
      `UPDATE confirmations SET status = 'done', result = ? WHERE id = ? AND status = 'claimed'`,
      [result, id],
    );
    if (changes === 0) throw new Error(`confirmation ${id} is not claimed, cannot finish it`);
  }

  async cancelConfirmation(id: string, userId: string): Promise<boolean> {
    const { changes } = await this.db.query(
      `UPDATE confirmations SET status = 'cancelled' WHERE id = ? AND user_id = ? AND status = 'pending'`,
      [id, userId],
    );
    return changes === 1;
  }

  async appendAudit(e: NewAuditEntry): Promise<AuditEntry> {
    const { rows } = await this.db.query<AuditRow>(
      `INSERT INTO audit_log (at, user_id, channel_id, operation, target, event, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [e.at, e.userId, e.channelId, e.operation, e.target, e.event, e.detail],
    );
    return toAuditEntry(rows[0]!);
  }

  async listAudit(opts: { target?: string; userId?: string; limit: number }): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.target !== undefined) {
      where.push(`(target = ? OR ${this.impl.dialect.contains('detail', '?')})`);
      params.push(opts.target, opts.target);
    }
    if (opts.userId !== undefined) {
      where.push('user_id = ?');
      params.push(opts.userId);
    }
    const { rows } = await this.db.query<AuditRow>(
      `SELECT * FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY at DESC, id DESC LIMIT ?`,
      [...params, opts.limit],
    );
    return rows.map(toAuditEntry);
  }

  async addWatch(w: NewPortWatch): Promise<PortWatch> {
    const { rows } = await this.db.query<WatchRow>(
      `INSERT INTO port_watches (channel_id, states, number, created_by, created_at)
       VALUES (?, ?, ?, ?, ?) RETURNING *`,
      // Stringified: pg would send a JS array as a PostgreSQL array, not as JSON.
      [w.channelId, JSON.stringify(w.states), w.number, w.createdBy, w.createdAt],
    );
    return toPortWatch(rows[0]!);
  }

  async removeWatches(channelId: string): Promise<number> {
    return (await this.db.query('DELETE FROM port_watches WHERE channel_id = ?', [channelId])).changes;
  }

  async listWatches(channelId?: string): Promise<PortWatch[]> {
    const { rows } =
      channelId === undefined
        ? await this.db.query<WatchRow>('SELECT * FROM port_watches ORDER BY id')
        : await this.db.query<WatchRow>('SELECT * FROM port_watches WHERE channel_id = ? ORDER BY id', [
            channelId,
          ]);
    return rows.map(toPortWatch);
  }

  async getPortSnapshots(opts: { statuses?: readonly string[] } = {}): Promise<PortSnapshot[]> {
    const statuses = opts.statuses?.map((s) => s.toUpperCase());
    if (statuses?.length === 0) return [];
    const { rows } = statuses
      ? await this.db.query<SnapshotRow>(
          `SELECT * FROM port_snapshots WHERE upper(status) IN (${statuses.map(() => '?').join(', ')}) ORDER BY port_id`,
          statuses,
        )
      : await this.db.query<SnapshotRow>('SELECT * FROM port_snapshots ORDER BY port_id');
    return rows.map(toPortSnapshot);
  }

  async forEachPortSnapshot(visit: (snapshot: PortSnapshot) => void, batchSize = 5_000): Promise<void> {
    // Keyset pages: each query starts after the last id of the one before.
    let after: string | null = null;
    for (;;) {
      const page = await this.snapshotPage(after, Math.max(1, batchSize));
      for (const row of page) visit(toPortSnapshot(row));
      if (page.length < Math.max(1, batchSize)) return;
      after = page[page.length - 1]?.port_id ?? null;
    }
  }

  private async snapshotPage(after: string | null, limit: number): Promise<SnapshotRow[]> {
    const { rows } =
      after === null
        ? await this.db.query<SnapshotRow>(`${SNAPSHOT_PAGE} LIMIT ?`, [limit])
        : await this.db.query<SnapshotRow>(`${SNAPSHOT_PAGE_AFTER} LIMIT ?`, [after, limit]);
    return rows;
  }

  async applyPortPoll(changes: PortPollChanges): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (this.impl.writeSnapshots) await this.impl.writeSnapshots(tx, changes.upserts, changes.deletes);
      else {
        for (const s of changes.upserts) {
          await tx.query(UPSERT_SNAPSHOT, [s.portId, s.status, JSON.stringify(s.data), s.seenAt]);
        }
        for (const portId of changes.deletes) {
          await tx.query('DELETE FROM port_snapshots WHERE port_id = ?', [portId]);
        }
      }
      await insertOutbox(tx, changes.outbox, changes.now ?? Date.now());
      for (const [key, value] of Object.entries(changes.kv ?? {})) await writeKv(tx, key, value);
    });
  }

  async enqueueOutbox(items: NewOutboxItem[], now = Date.now()): Promise<void> {
    await this.db.transaction((tx) => insertOutbox(tx, items, now));
  }

  async dueOutbox(now: number, limit: number, perChannel = limit): Promise<OutboxItem[]> {
    const { rows } = await this.db.query<OutboxRow>(
      `SELECT * FROM (
         SELECT o.*, ROW_NUMBER() OVER (PARTITION BY o.channel_id ORDER BY o.created_at, o.id) AS nth
         FROM outbox o
         WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= ?
           AND NOT EXISTS (
             SELECT 1 FROM outbox earlier
             WHERE earlier.channel_id = o.channel_id AND earlier.port_id = o.port_id AND earlier.id < o.id
               AND earlier.delivered_at IS NULL AND earlier.dead_at IS NULL)
       ) due WHERE nth <= ? ORDER BY created_at, id LIMIT ?`,
      [now, perChannel, limit],
    );
    return rows.map(toOutboxItem);
  }

  async markOutboxDelivered(id: number, now: number, ts: string): Promise<void> {
    if (!ts) throw new Error(`outbox item ${id}: delivered needs the ts Slack answered with`);
    await this.db.query('UPDATE outbox SET delivered_at = ?, ts = ? WHERE id = ?', [now, ts, id]);
  }

  async outboxDepth(): Promise<number> {
    const { rows } = await this.db.query<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL',
    );
    return Number(rows[0]?.n ?? 0);
  }

  async markOutboxFailed(
    id: number,
    nextAttemptAt: number,
    error: string,
    opts: { countAttempt?: boolean } = {},
  ): Promise<void> {
    await this.db.query(
      'UPDATE outbox SET attempts = attempts + ?, next_attempt_at = ?, last_error = ? WHERE id = ?',
      [opts.countAttempt === false ? 0 : 1, nextAttemptAt, error, id],
    );
  }

  async markOutboxDead(id: number, now: number, reason: string): Promise<void> {
    await this.db.query(
      'UPDATE outbox SET dead_at = ?, last_error = ? WHERE id = ? AND delivered_at IS NULL',
      [now, reason, id],
    );
  }

  async deadOutbox(opts: { channelId?: string; limit: number }): Promise<OutboxItem[]> {
    const { rows } =
      opts.channelId === undefined
        ? await this.db.query<OutboxRow>(
            'SELECT * FROM outbox WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id DESC LIMIT ?',
            [opts.limit],
          )
        : await this.db.query<OutboxRow>(
            `SELECT * FROM outbox WHERE dead_at IS NOT NULL AND channel_id = ?
             ORDER BY dead_at DESC, id DESC LIMIT ?`,
            [opts.channelId, opts.limit],
          );
    return rows.map(toOutboxItem);
  }

  async getAlertThread(channelId: string, portId: string): Promise<AlertThread | null> {
    const { rows } = await this.db.query<AlertThreadRow>(
      'SELECT * FROM alert_threads WHERE channel_id = ? AND port_id = ?',
      [channelId, portId],
    );
    return rows[0] ? toAlertThread(rows[0]) : null;
  }

  async setAlertThread(t: AlertThread): Promise<void> {
    await this.db.query(
      `INSERT INTO alert_threads (channel_id, port_id, ts) VALUES (?, ?, ?)
       ON CONFLICT (channel_id, port_id) DO UPDATE SET ts = excluded.ts`,
      [t.channelId, t.portId, t.ts],
    );
  }

  async alertThreadsOf(portIds: readonly string[]): Promise<AlertThread[]> {
    if (portIds.length === 0) return [];
    const { rows } = await this.db.query<AlertThreadRow>(
      `SELECT * FROM alert_threads WHERE ${this.impl.dialect.inJsonList('port_id')} ORDER BY channel_id, port_id`,
      [JSON.stringify(portIds)],
    );
    return rows.map(toAlertThread);
  }

  async getKv(key: string): Promise<string | null> {
    const { rows } = await this.db.query<{ value: string }>('SELECT value FROM kv WHERE key = ?', [key]);
    return rows[0]?.value ?? null;
  }

  async setKv(key: string, value: string | null): Promise<void> {
    await writeKv(this.db, key, value);
  }

  async setKvIfAbsent(key: string, value: string): Promise<string> {
    await this.db.query('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [
      key,
      value,
    ]);
    return (await this.getKv(key)) ?? value;
  }

  async addQrExpiry(q: QrExpiry): Promise<void> {
    await this.db.query(
      `INSERT INTO qr_expiries
         (file_id, channel_id, message_ts, poster_id, mpn, iccid, i_account, posted_at, delete_at, next_try_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        q.fileId,
        q.channelId,
        q.messageTs,
        q.posterId,
        q.mpn,
        q.iccid,
        q.iAccount,
        q.postedAt,
        q.deleteAt,
        q.deleteAt,
      ],
    );
  }

  async dueQrExpiries(now: number, limit: number): Promise<QrExpiry[]> {
    const { rows } = await this.db.query<QrExpiryRow>(
      `SELECT * FROM qr_expiries WHERE done_at IS NULL AND next_try_at <= ?
       ORDER BY next_try_at, file_id LIMIT ?`,
      [now, limit],
    );
    return rows.map(toQrExpiry);
  }

  async postponeQrExpiry(fileId: string, nextTryAt: number): Promise<void> {
    await this.db.query('UPDATE qr_expiries SET next_try_at = ? WHERE file_id = ? AND done_at IS NULL', [
      nextTryAt,
      fileId,
    ]);
  }

  async finishQrExpiry(fileId: string, now: number): Promise<void> {
    await this.db.query('UPDATE qr_expiries SET done_at = ? WHERE file_id = ? AND done_at IS NULL', [
      now,
      fileId,
    ]);
  }

  async addEsimFollowUp(f: NewEsimFollowUp): Promise<EsimFollowUp> {
    return this.db.transaction(async (tx) => {
      // A new QR of the same eSIM (its code was refreshed) replaces the one followed so far.
      await tx.query(
        `UPDATE esim_followups SET status = 'superseded', finished_at = ?
         WHERE status = 'waiting' AND ((iccid IS NOT NULL AND iccid = ?) OR (mpn IS NOT NULL AND mpn = ?))`,
        [f.startedAt, f.iccid, f.mpn],
      );
      const { rows } = await tx.query<EsimFollowUpRow>(
        `INSERT INTO esim_followups
           (mpn, iccid, i_account, channel_id, message_ts, file_id, requester_id, started_at, deadline_at,
            next_check_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting') RETURNING *`,
        [
          f.mpn,
          f.iccid,
          f.iAccount,
          f.channelId,
          f.messageTs,
          f.fileId,
          f.requesterId,
          f.startedAt,
          f.deadlineAt,
          f.nextCheckAt ?? f.startedAt,
        ],
      );
      return toEsimFollowUp(rows[0]!);
    });
  }

  async dueEsimFollowUps(now: number, limit: number): Promise<EsimFollowUp[]> {
    const { rows } = await this.db.query<EsimFollowUpRow>(
      `SELECT * FROM esim_followups
       WHERE status IN ('waiting', 'announcing_installed', 'announcing_timeout') AND next_check_at <= ?
       ORDER BY next_check_at, id LIMIT ?`,
      [now, limit],
    );
    return rows.map(toEsimFollowUp);
  }

  async pendingEsimFollowUps(): Promise<number> {
    const { rows } = await this.db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM esim_followups
       WHERE status IN ('waiting', 'announcing_installed', 'announcing_timeout')`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async listEsimFollowUps(statuses: readonly EsimFollowUpStatus[], limit: number): Promise<EsimFollowUp[]> {
    if (statuses.length === 0) return [];
    const { rows } = await this.db.query<EsimFollowUpRow>(
      `SELECT * FROM esim_followups WHERE status IN (${statuses.map(() => '?').join(', ')})
       ORDER BY started_at DESC, id DESC LIMIT ?`,
      [...statuses, limit],
    );
    return rows.map(toEsimFollowUp);
  }

  async updateEsimFollowUp(
    id: number,
    from: EsimFollowUpStatus,
    changes: Parameters<Store['updateEsimFollowUp']>[2],
  ): Promise<boolean> {
    const set = setClause(changes, {
      status: 'status',
      nextCheckAt: 'next_check_at',
      failures: 'failures',
      installedAt: 'installed_at',
      finishedAt: 'finished_at',
    });
    if (set.sql === '') return true;
    const { changes: n } = await this.db.query(
      `UPDATE esim_followups SET ${set.sql} WHERE id = ? AND status = ?`,
      [...set.params, id, from],
    );
    return n === 1;
  }

  async upsertUsageWatch(w: NewUsageWatch): Promise<{ watch: UsageWatch; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const existing = await tx.query<UsageWatchRow>(
        'SELECT * FROM usage_watches WHERE channel_id = ? AND mpn = ?',
        [w.channelId, w.mpn],
      );
      if (existing.rows[0]) {
        // A new threshold re-arms the threshold alert of the current period (not the 100 % one).
        const { rows } = await tx.query<UsageWatchRow>(
          `UPDATE usage_watches SET threshold = ?, threshold_alert = CASE WHEN threshold = ? THEN threshold_alert ELSE 0 END,
             next_check_at = ?
           WHERE id = ? RETURNING *`,
          [w.threshold, w.threshold, w.createdAt, existing.rows[0].id],
        );
        return { watch: toUsageWatch(rows[0]!), created: false };
      }
      const { rows } = await tx.query<UsageWatchRow>(
        `INSERT INTO usage_watches (channel_id, mpn, threshold, created_by, created_at, next_check_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
        [w.channelId, w.mpn, w.threshold, w.createdBy, w.createdAt, w.createdAt],
      );
      return { watch: toUsageWatch(rows[0]!), created: true };
    });
  }

  async removeUsageWatch(channelId: string, mpn: string): Promise<boolean> {
    const { changes } = await this.db.query('DELETE FROM usage_watches WHERE channel_id = ? AND mpn = ?', [
      channelId,
      mpn,
    ]);
    return changes > 0;
  }

  async listUsageWatches(channelId?: string): Promise<UsageWatch[]> {
    const { rows } =
      channelId === undefined
        ? await this.db.query<UsageWatchRow>('SELECT * FROM usage_watches ORDER BY id')
        : await this.db.query<UsageWatchRow>('SELECT * FROM usage_watches WHERE channel_id = ? ORDER BY id', [
            channelId,
          ]);
    return rows.map(toUsageWatch);
  }

  async dueUsageWatches(now: number, limit: number): Promise<UsageWatch[]> {
    const { rows } = await this.db.query<UsageWatchRow>(
      'SELECT * FROM usage_watches WHERE next_check_at <= ? ORDER BY next_check_at, id LIMIT ?',
      [now, limit],
    );
    return rows.map(toUsageWatch);
  }

  async updateUsageWatch(
    id: number,
    changes: Parameters<Store['updateUsageWatch']>[1],
    expect?: Parameters<Store['updateUsageWatch']>[2],
  ): Promise<boolean> {
    const set = setClause(changes, {
      period: 'period',
      thresholdAlert: 'threshold_alert',
      fullAlert: 'full_alert',
      lastPercent: 'last_percent',
      lastBundle: 'last_bundle',
      lastCheckedAt: 'last_checked_at',
      nextCheckAt: 'next_check_at',
      failures: 'failures',
    });
    if (set.sql === '') return true;
    const where = expect
      ? ' AND period IS NOT DISTINCT FROM ? AND threshold_alert = ? AND full_alert = ?'
      : '';
    const params = expect ? [expect.period, expect.thresholdAlert, expect.fullAlert] : [];
    const { changes: n } = await this.db.query(`UPDATE usage_watches SET ${set.sql} WHERE id = ?${where}`, [
      ...set.params,
      id,
      ...params,
    ]);
    return n === 1;
  }

  async tryLock(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean> {
    // Takes a free name, renews our own lease, or takes over an expired one; a live lease
    // of another holder makes the DO UPDATE's WHERE false, so no row changes.
    const { changes } = await this.db.query(
      `INSERT INTO locks (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE locks.holder = excluded.holder OR locks.expires_at <= ?`,
      [name, holderId, now + ttlMs, now],
    );
    return changes === 1;
  }

  async releaseLock(name: string, holderId: string): Promise<void> {
    await this.db.query('DELETE FROM locks WHERE name = ? AND holder = ?', [name, holderId]);
  }

  async close(): Promise<void> {
    await this.impl.close();
  }

  private async selectConfirmation(id: string): Promise<ConfirmationRow | undefined> {
    const { rows } = await this.db.query<ConfirmationRow>('SELECT * FROM confirmations WHERE id = ?', [id]);
    return rows[0];
  }
}

async function insertOutbox(db: Db, items: readonly NewOutboxItem[], now: number): Promise<void> {
  for (const item of items) {
    await db.query(
      `INSERT INTO outbox (dedupe_key, channel_id, kind, payload, port_id, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        item.dedupeKey,
        item.channelId,
        item.kind,
        JSON.stringify(item.payload),
        item.portId ?? null,
        now,
        now,
      ],
    );
  }
}

async function writeKv(db: Db, key: string, value: string | null): Promise<void> {
  if (value === null) {
    await db.query('DELETE FROM kv WHERE key = ?', [key]);
  } else {
    await db.query(
      'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }
}

/** `col = ?, …` for the fields given (undefined ones are left as they are). */
function setClause<T extends object>(
  changes: T,
  columns: { [K in keyof T]-?: string },
): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const key of Object.keys(columns) as (keyof T)[]) {
    const value = changes[key];
    if (value === undefined) continue;
    parts.push(`${columns[key]} = ?`);
    params.push(value);
  }
  return { sql: parts.join(', '), params };
}
