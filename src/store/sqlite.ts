// The Store on SQLite (better-sqlite3, synchronous). One process owns the connection; WAL
// and a busy timeout let a second process (a CLI, a second instance) share the file.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type Db, type QueryResult, SQLITE } from './db.js';
import { migrate } from './migrations.js';
import { createSqlStore } from './sql-store.js';
import type { Store } from './types.js';

const IN_MEMORY = ':memory:';

/** Opens (creating if needed) the database file at `path`, relative to the working directory. */
export async function openSqliteStore(path: string): Promise<Store> {
  const file = path === IN_MEMORY ? IN_MEMORY : resolve(path);
  if (file !== IN_MEMORY) mkdirSync(dirname(file), { recursive: true });
  const conn = new Database(file, { timeout: 5000 }); // busy_timeout
  const db = new SqliteDb(conn);
  try {
    conn.pragma('journal_mode = WAL');
    conn.pragma('foreign_keys = ON');
    await migrate(db, SQLITE);
  } catch (error) {
    conn.close();
    throw error;
  }
  return createSqlStore({ dialect: SQLITE, db, close: async () => void conn.close() });
}

/** Applies the pending migrations to an open connection; returns the versions applied. */
export function migrateSqlite(conn: Database.Database): Promise<number[]> {
  return migrate(new SqliteDb(conn), SQLITE);
}

/** The transaction open on a database file in this process, if any. */
interface Gate {
  open: Promise<void> | null;
}
const gates = new Map<string, Gate>();

/**
 * better-sqlite3 behind the engine interface. Its calls are synchronous, but a transaction's
 * work is async code: while one is open on the file, every other statement of this process on
 * that file waits until it ends. So none runs inside it (or vanishes with its rollback), and a
 * second connection in the same process never blocks the thread on a lock the first one holds.
 */
class SqliteDb implements Db {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly gate: Gate;
  private readonly inside: Db;

  constructor(private readonly conn: Database.Database) {
    const file = conn.memory ? null : conn.name;
    this.gate = (file && gates.get(file)) || { open: null };
    if (file) gates.set(file, this.gate);
    this.inside = {
      query: async (sql, params) => this.run(sql, params),
      exec: async (script) => void this.conn.exec(script),
      transaction: (work) => work(this.inside),
    };
  }

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    while (this.gate.open) await this.gate.open;
    return this.run<R>(sql, params);
  }

  async exec(script: string): Promise<void> {
    while (this.gate.open) await this.gate.open;
    this.conn.exec(script);
  }

  async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    while (this.gate.open) await this.gate.open;
    let end = () => {};
    this.gate.open = new Promise<void>((resolve) => {
      end = resolve;
    });
    try {
      // IMMEDIATE takes the write lock first: a second process waits here rather than failing later.
      this.conn.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.inside);
        this.conn.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.conn.inTransaction) this.conn.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.gate.open = null;
      end();
    }
  }

  private run<R>(sql: string, params: readonly unknown[] = []): QueryResult<R> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.conn.prepare(sql);
      this.statements.set(sql, statement);
    }
    if (statement.reader) {
      const rows = statement.all(...params) as R[];
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: statement.run(...params).changes };
  }
}
