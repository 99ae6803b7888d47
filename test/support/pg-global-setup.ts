// Vitest globalSetup: gives the tests a PostgreSQL server (see test/support/postgres.ts).
// With TEST_POSTGRES_URL set, that server is used and this run's databases are dropped at
// the end. Otherwise a throwaway cluster is initialised in a temp dir, listening only on
// 127.0.0.1, and deleted at the end. No PostgreSQL at all is an error, never a skip.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startThrowawayCluster } from './pg-cluster.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const prefix = `onsim_test_${Date.now().toString(36)}_${process.pid}_`;
  project.provide('postgresDbPrefix', prefix);

  const externalUrl = process.env.TEST_POSTGRES_URL;
  if (externalUrl) {
    project.provide('postgresUrl', externalUrl);
    return () => dropDatabases(externalUrl, prefix);
  }
  const cluster = await startThrowawayCluster();
  project.provide('postgresUrl', cluster.url);
  return cluster.stop;
}

async function dropDatabases(url: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
