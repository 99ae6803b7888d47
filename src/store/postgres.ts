// The Store on PostgreSQL (pg Pool). Several bot instances may share one database; the SQL is
// sql-store.ts's. What is PostgreSQL's own: numbered placeholders, BIGINT and jsonb parsing,
// and snapshot writes batched through unnest (a baseline of 100,000 ports is a few statements,
// not 100,000 round trips).
import { Pool, type PoolClient, TypeOverrides } from 'pg';
import { type Db, POSTGRES, type QueryResult } from './db.js';
import { migrate } from './migrations.js';
import { createSqlStore } from './sql-store.js';
import type { PortSnapshot, Store } from './types.js';

const INT8 = 20;
const JSONB = 3802;
const SNAPSHOT_BATCH = 5_000;

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
  const db = postgresDb(pool);
  try {
    await migrate(db, POSTGRES);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return createSqlStore({ dialect: POSTGRES, db, writeSnapshots, close: () => pool.end() });
}

/** Applies the pending migrations; returns the versions applied. */
export function migratePostgres(pool: Pool): Promise<number[]> {
  return migrate(postgresDb(pool), POSTGRES);
}

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`BIGINT ${text} does not fit a JS number`);
  return value;
}

const numbered = new Map<string, string>();
/** `?` → `$1`, `$2`…; the statements hold no `?` inside literals. */
function toNumbered(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, text);
  }
  return text;
}

/** The pool: each statement on any free connection, transactions on one. */
function postgresDb(pool: Pool): Db {
  return { ...connectionDb(pool), transaction: (work) => inTransaction(pool, work) };
}

/** Statements on `conn`; on a client inside a transaction, a nested transaction joins it. */
function connectionDb(conn: Pool | PoolClient): Db {
  const db: Db = {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await conn.query(toNumbered(sql), [...params]);
      return { rows: result.rows as R[], changes: result.rowCount ?? 0 };
    },
    async exec(script) {
      await conn.query(script);
    },
    transaction: (work) => work(db),
  };
  return db;
}

/** Runs `work` in BEGIN … COMMIT on one pooled client; rolls back and rethrows on error. */
async function inTransaction<T>(pool: Pool, work: (tx: Db) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(connectionDb(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true; // the connection itself failed: drop it rather than return it to the pool
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

async function writeSnapshots(
  tx: Db,
  upserts: readonly PortSnapshot[],
  deletes: readonly string[],
): Promise<void> {
  for (let i = 0; i < upserts.length; i += SNAPSHOT_BATCH) {
    const batch = upserts.slice(i, i + SNAPSHOT_BATCH);
    await tx.query(
      `INSERT INTO port_snapshots (port_id, status, data, seen_at)
       SELECT * FROM unnest(?::text[], ?::text[], ?::jsonb[], ?::bigint[])
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
  if (deletes.length > 0) await tx.query('DELETE FROM port_snapshots WHERE port_id = ANY(?)', [deletes]);
}
