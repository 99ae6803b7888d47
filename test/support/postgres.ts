// Test databases on the PostgreSQL server that test/support/pg-global-setup.ts provides.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test server's maintenance database, as a user allowed to CREATE DATABASE. */
    postgresUrl: string;
    /** Name prefix of the databases this run creates (the global teardown may drop them). */
    postgresDbPrefix: string;
  }
}

/** Creates a new, empty, uniquely named database and returns its URL. */
export async function freshPostgresUrl(): Promise<string> {
  const baseUrl = inject('postgresUrl');
  if (!baseUrl) {
    throw new Error(
      "No test PostgreSQL: add 'test/support/pg-global-setup.ts' to globalSetup in vitest.config.ts",
    );
  }
  const name = `${inject('postgresDbPrefix')}${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * For `describe.each`: the two store engines a bot can run on. Each gives the bot's DATABASE_URL
 * (undefined: startTestBot's fresh SQLite file).
 */
export const STORE_ENGINES = [
  ['SQLite', async (): Promise<string | undefined> => undefined],
  ['PostgreSQL', freshPostgresUrl],
] as const;
