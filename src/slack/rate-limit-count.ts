import type { Metrics } from '../metrics.js';

/** `chat.postMessage` from `…/api/chat.postMessage`; anything else (response_url, uploads) is `other`. */
function methodOf(url: string): string {
  const m = /\/api\/([a-zA-Z]+(?:\.[a-zA-Z]+)+)(?:[?#]|$)/.exec(url);
  return m?.[1] ?? 'other';
}

/** A `fetch` for the Web API client that counts Slack's 429 answers by method (retried or not). */
export function rateLimitCountingFetch(
  metrics: Metrics,
  base: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    if (res.status === 429) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      metrics.slackRateLimited.inc({ method: methodOf(url) });
    }
    return res;
  };
}
