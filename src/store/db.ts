// What the one set of SQL (sql-store.ts, migrations.ts) needs from an engine: run a statement,
// run a script, run work in a transaction, and the few words the two SQL dialects spell
// differently. Statements are written once with `?` placeholders; PostgreSQL's engine numbers
// them ($1, $2…). Every parameter is passed in order, a value used twice is passed twice.

export interface QueryResult<R> {
  rows: R[];
  /** Rows the statement inserted, updated or deleted (for RETURNING statements: rows returned). */
  changes: number;
}

export interface Db {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs several statements without parameters (a migration). */
  exec(script: string): Promise<void>;
  /**
   * Runs `work` atomically against `tx` (SQLite: BEGIN IMMEDIATE, so the write lock is taken
   * first; PostgreSQL: BEGIN on one pooled connection). Rolls back and rethrows on error.
   */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
}

/** Column types and functions the two dialects spell differently. */
export interface Dialect {
  readonly engine: 'sqlite' | 'postgres';
  /** An auto-numbered integer primary key. */
  readonly id: string;
  /** Epoch milliseconds; also any count that may pass 2^31. */
  readonly time: string;
  /** A JSON document (handed back as text by both engines). */
  readonly json: string;
  /** Appended to CREATE TABLE (SQLite's STRICT type checking). */
  readonly tableOptions: string;
  /** SQL true when `needle` occurs in `haystack` (both SQL expressions). */
  contains(haystack: string, needle: string): string;
  /** SQL true when `column` is one of the strings of a JSON array passed as one parameter. */
  inJsonList(column: string): string;
}

export const SQLITE: Dialect = {
  engine: 'sqlite',
  id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  time: 'INTEGER',
  json: 'TEXT',
  tableOptions: ' STRICT',
  contains: (haystack, needle) => `instr(${haystack}, ${needle}) > 0`,
  inJsonList: (column) => `${column} IN (SELECT value FROM json_each(?))`,
};

export const POSTGRES: Dialect = {
  engine: 'postgres',
  id: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  time: 'BIGINT',
  json: 'JSONB',
  tableOptions: '',
  contains: (haystack, needle) => `strpos(${haystack}, ${needle}) > 0`,
  inJsonList: (column) => `${column} IN (SELECT jsonb_array_elements_text(?::jsonb))`,
};
