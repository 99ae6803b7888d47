import type { Pool, PoolClient } from 'pg';

/** Runs `work` in BEGIN … COMMIT on one pooled client; rolls back and rethrows on error. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
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
