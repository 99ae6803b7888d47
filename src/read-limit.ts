/**
 * A token bucket per Slack user for the look-ups that ask ONSIM: one person paging through lists
 * cannot push the reseller's API key into 429s, which would stall everyone's writes and the
 * porting watcher with it.
 */
export type ReadPermit = { ok: true } | { ok: false; retryInSeconds: number };

export interface ReadLimiter {
  take(userId: string): ReadPermit;
}

/** Beyond this many users, buckets that have filled up again are forgotten. */
const MAX_TRACKED_USERS = 10_000;

export function createReadLimiter(perMinute: number, now: () => number): ReadLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = perMinute / 60_000;
  const refilled = (b: { tokens: number; at: number }, t: number) =>
    Math.min(perMinute, b.tokens + (t - b.at) * perMs);

  return {
    take(userId) {
      if (perMinute <= 0) return { ok: true };
      const t = now();
      const known = buckets.get(userId);
      const bucket = { tokens: known ? refilled(known, t) : perMinute, at: t };
      if (!known && buckets.size >= MAX_TRACKED_USERS) {
        for (const [id, b] of buckets) if (refilled(b, t) >= perMinute) buckets.delete(id);
      }
      if (bucket.tokens >= 1) {
        buckets.set(userId, { tokens: bucket.tokens - 1, at: t });
        return { ok: true };
      }
      buckets.set(userId, bucket);
      return { ok: false, retryInSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
  };
}
