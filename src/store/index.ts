import { claimStore, type OnsimIdentity } from './owner.js';
import type { Store } from './types.js';

export { type OnsimIdentity, StoreOwnerError } from './owner.js';
export type * from './types.js';

/**
 * Opens the store named by DATABASE_URL: `sqlite:<path>` (relative to the working
 * directory or absolute; `sqlite::memory:` for tests) or `postgres://…` / `postgresql://…`.
 * With `onsim`, the database must belong to that ONSIM (recorded on its first opening), or
 * opening fails with a StoreOwnerError saying what to change.
 */
export async function openStore(databaseUrl: string, opts: { onsim?: OnsimIdentity } = {}): Promise<Store> {
  const store = await openEngine(databaseUrl);
  if (opts.onsim) {
    try {
      await claimStore(store, opts.onsim);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

/** Each engine's module (and its driver) is loaded only when DATABASE_URL names it. */
async function openEngine(databaseUrl: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(databaseUrl);
  }
  const sqlitePath = /^sqlite:(?!\/\/)(.+)$/.exec(databaseUrl)?.[1];
  if (sqlitePath !== undefined) {
    const { openSqliteStore } = await import('./sqlite.js');
    return openSqliteStore(sqlitePath);
  }
  throw new Error(
    `DATABASE_URL must be sqlite:<path> (e.g. sqlite:./data/bot.db) or postgres://user:pass@host:5432/db, ` +
      `got ${describe(databaseUrl)}`,
  );
}

/** The scheme only, so a mistyped URL's password never reaches a log. */
function describe(url: string): string {
  if (url === '') return 'an empty value';
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
  return scheme ? `a URL starting with '${scheme}'` : 'a value without a scheme';
}
