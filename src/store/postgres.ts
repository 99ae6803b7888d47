// The Store on PostgreSQL (pg Pool). Several bot instances may share one database: every
// state change that must happen once (claims, leases, outbox dedupe) is one conditional
// statement, and multi-step writes run in a transaction.
import { Pool, type PoolClient, TypeOverrides } from 'pg';
import { migratePostgres } from './migrations.js';
import { inTransaction } from './pg-transaction.js';
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
/** A pool or a client inside a transaction. */
type Queryable = Pick<PoolClient, 'query'>;

const INT8 = 20;
const SNAPSHOT_BATCH = 5_000;
const JSONB = 3802;

export async function openPostgresStore(url: string): Promise<Store> {
  // Parsers for this pool only (not pg's global defaults): BIGINT columns (times in ms,
  // ids) as numbers, and jsonb as its text so both engines share the row mappers.
  const types = new TypeOverrides();
  types.setTypeParser(INT8, parseInt8);
  types.setTypeParser(JSONB, (text: string) => text);
  const pool = new Pool({ connectionString: url, max: 5, types });
  // An idle client whose connection dies is dropped from the pool, which then emits
  // 'error'; unhandled, that event would crash the process. The next query reconnects (and
  // fails loudly if the server is still away), so there is nothing more to do here.
  pool.on('error', () => {});
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresStore(pool);
}

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`BIGINT ${text} does not fit a JS number`);
  return value;
}

class PostgresStore implements Store {
  readonly engine = 'postgres';

  constructor(private readonly pool: Pool) {}

  async createConfirmation(c: NewConfirmation): Promise<Confirmation> {
    const { rows } = await this.pool.query<ConfirmationRow>(
      `INSERT INTO confirmations
         (id, operation, user_id, channel_id, target, payload, created_at, expires_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') RETURNING *`,
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
    const { rows } = await this.pool.query<ConfirmationRow>(
      `SELECT * FROM confirmations WHERE status = 'claimed' AND expires_at < $1 ORDER BY created_at`,
      [expiredBefore],
    );
    return rows.map(toConfirmation);
  }

  async claimConfirmation(id: string, userId: string, now: number): Promise<ClaimResult> {
    // Concurrent claims queue on the row lock; once the winner commits, the others re-check
    // status = 'pending', find it false and update nothing.
    const { rows } = await this.pool.query<ConfirmationRow>(
      `UPDATE confirmations SET status = 'claimed'
       WHERE id = $1 AND status = 'pending' AND user_id = $2 AND expires_at > $3
       RETURNING *`,
      [id, userId, now],
    );
    const claimed = rows[0];
    if (claimed) return { kind: 'claimed', confirmation: toConfirmation(claimed) };
    return refusedClaim(await this.selectConfirmation(id), userId, now);
  }

  async finishConfirmation(id: string, result: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      `UPDATE confirmations SET status = 'done', result = $2 WHERE id = $1 AND status = 'claimed'`,
      [id, result],
    );
    if (rowCount === 0) throw new Error(`confirmation ${id} is not claimed, cannot finish it`);
  }

  async cancelConfirmation(id: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE confirmations SET status = 'cancelled' WHERE id = $1 AND user_id = $2 AND status = 'pending'`,
      [id, userId],
    );
    return rowCount === 1;
  }

  async appendAudit(e: NewAuditEntry): Promise<AuditEntry> {
    const { rows } = await this.pool.query<AuditRow>(
      `INSERT INTO audit_log (at, user_id, channel_id, operation, target, event, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [e.at, e.userId, e.channelId, e.operation, e.target, e.event, e.detail],
    );
    return toAuditEntry(rows[0]!);
  }

  async listAudit(opts: { target?: string; limit: number }): Promise<AuditEntry[]> {
    const { rows } =
      opts.target === undefined
        ? await this.pool.query<AuditRow>('SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT $1', [
            opts.limit,
          ])
        : await this.pool.query<AuditRow>(
            `SELECT * FROM audit_log WHERE target = $1 OR strpos(detail, $1) > 0
             ORDER BY at DESC, id DESC LIMIT $2`,
            [opts.target, opts.limit],
          );
    return rows.map(toAuditEntry);
  }

  async addWatch(w: NewPortWatch): Promise<PortWatch> {
    const { rows } = await this.pool.query<WatchRow>(
      `INSERT INTO port_watches (channel_id, states, number, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      // Stringified: pg would send a JS array as a PostgreSQL array, not as JSON.
      [w.channelId, JSON.stringify(w.states), w.number, w.createdBy, w.createdAt],
    );
    return toPortWatch(rows[0]!);
  }

  async removeWatches(channelId: string): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM port_watches WHERE channel_id = $1', [channelId]);
    return rowCount ?? 0;
  }

  async listWatches(channelId?: string): Promise<PortWatch[]> {
    const { rows } =
      channelId === undefined
        ? await this.pool.query<WatchRow>('SELECT * FROM port_watches ORDER BY id')
        : await this.pool.query<WatchRow>('SELECT * FROM port_watches WHERE channel_id = $1 ORDER BY id', [
            channelId,
          ]);
    return rows.map(toPortWatch);
  }

  async getPortSnapshots(): Promise<PortSnapshot[]> {
    const { rows } = await this.pool.query<SnapshotRow>('SELECT * FROM port_snapshots ORDER BY port_id');
    return rows.map(toPortSnapshot);
  }

  async applyPortPoll(changes: PortPollChanges): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // Batched: a baseline of 100,000 ports is a few statements, not 100,000 round trips.
      for (let i = 0; i < changes.upserts.length; i += SNAPSHOT_BATCH) {
        const batch = changes.upserts.slice(i, i + SNAPSHOT_BATCH);
        await client.query(
          `INSERT INTO port_snapshots (port_id, status, data, seen_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bigint[])
           ON CONFLICT (port_id) DO UPDATE
             SET status = excluded.status, data = excluded.data, seen_at = excluded.seen_at`,
          [
            batch.map((s) => s.portId),
            batch.map((s) => s.status),
            batch.map((s) => JSON.stringify(s.data)),
            batch.map((s) => s.seenAt),
          ],
        );
      }
      if (changes.deletes.length > 0) {
        await client.query('DELETE FROM port_snapshots WHERE port_id = ANY($1)', [changes.deletes]);
      }
      await insertOutbox(client, changes.outbox, changes.now ?? Date.now());
      for (const [key, value] of Object.entries(changes.kv ?? {})) await writeKv(client, key, value);
    });
  }

  async enqueueOutbox(items: NewOutboxItem[], now = Date.now()): Promise<void> {
    await inTransaction(this.pool, (client) => insertOutbox(client, items, now));
  }

  async dueOutbox(now: number, limit: number, perChannel = limit): Promise<OutboxItem[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT * FROM (
         SELECT *, ROW_NUMBER() OVER (PARTITION BY channel_id ORDER BY created_at, id) AS nth
         FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1
       ) due WHERE nth <= $2 ORDER BY created_at, id LIMIT $3`,
      [now, perChannel, limit],
    );
    return rows.map(toOutboxItem);
  }

  async markOutboxDelivered(id: number, now: number): Promise<void> {
    await this.pool.query('UPDATE outbox SET delivered_at = $2 WHERE id = $1', [id, now]);
  }

  async markOutboxFailed(id: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.pool.query(
      'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1',
      [id, nextAttemptAt, error],
    );
  }

  async getAlertThread(channelId: string, portId: string): Promise<AlertThread | null> {
    const { rows } = await this.pool.query<AlertThreadRow>(
      'SELECT * FROM alert_threads WHERE channel_id = $1 AND port_id = $2',
      [channelId, portId],
    );
    return rows[0] ? toAlertThread(rows[0]) : null;
  }

  async setAlertThread(t: AlertThread): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_threads (channel_id, port_id, ts) VALUES ($1, $2, $3)
       ON CONFLICT (channel_id, port_id) DO UPDATE SET ts = excluded.ts`,
      [t.channelId, t.portId, t.ts],
    );
  }

  async getKv(key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM kv WHERE key = $1', [key]);
    return rows[0]?.value ?? null;
  }

  async setKv(key: string, value: string | null): Promise<void> {
    await writeKv(this.pool, key, value);
  }

  async tryLock(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean> {
    // Takes a free name, renews our own lease, or takes over an expired one; a live lease
    // of another holder makes the DO UPDATE's WHERE false, so no row is affected.
    const { rowCount } = await this.pool.query(
      `INSERT INTO locks (name, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE locks.holder = excluded.holder OR locks.expires_at <= $4`,
      [name, holderId, now + ttlMs, now],
    );
    return rowCount === 1;
  }

  async releaseLock(name: string, holderId: string): Promise<void> {
    await this.pool.query('DELETE FROM locks WHERE name = $1 AND holder = $2', [name, holderId]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async selectConfirmation(id: string): Promise<ConfirmationRow | undefined> {
    const { rows } = await this.pool.query<ConfirmationRow>('SELECT * FROM confirmations WHERE id = $1', [
      id,
    ]);
    return rows[0];
  }
}

async function insertOutbox(db: Queryable, items: NewOutboxItem[], now: number): Promise<void> {
  for (const item of items) {
    await db.query(
      `INSERT INTO outbox (dedupe_key, channel_id, kind, payload, created_at, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (dedupe_key) DO NOTHING`,
      [item.dedupeKey, item.channelId, item.kind, JSON.stringify(item.payload), now],
    );
  }
}

async function writeKv(db: Queryable, key: string, value: string | null): Promise<void> {
  if (value === null) {
    await db.query('DELETE FROM kv WHERE key = $1', [key]);
  } else {
    await db.query(
      'INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }
}
