// The routes a load balancer, an orchestrator and Prometheus use, served in both modes (in Socket
// Mode on their own small HTTP listener on PORT, which serves nothing else):
// - GET /healthz: liveness; 200 once start-up has finished, until shutdown begins.
// - GET /readyz: 200 only while the bot can do its work: started (the store open, its migrations
//   applied), the store answering now, and in Socket Mode the WebSocket to Slack connected.
// - GET /metrics: Prometheus' text format (see metrics.ts).
import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from './metrics.js';
import type { Store } from './store/types.js';

/** A store that takes longer than this to answer counts as unreachable. */
const STORE_CHECK_MS = 2_000;

export interface HealthSources {
  store: Store;
  metrics: Metrics;
  /** True from the end of start-up until shutdown begins. */
  started: () => boolean;
  /** Socket Mode only: whether the WebSocket to Slack is connected now. */
  slackConnected?: () => boolean;
}

export type Check = 'ok' | 'failing';

async function storeAnswers(store: Store): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), STORE_CHECK_MS);
  });
  try {
    return await Promise.race([store.getKv('health.check').then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Each check by name; ready when every one is ok. */
export async function readiness(src: HealthSources): Promise<Record<string, Check>> {
  const started = src.started();
  const checks: Record<string, Check> = {
    started: started ? 'ok' : 'failing',
    // Only a started bot queries the store: before that it may still be migrating, after it closed.
    store: started && (await storeAnswers(src.store)) ? 'ok' : 'failing',
  };
  if (src.slackConnected) checks.slack = src.slackConnected() ? 'ok' : 'failing';
  return checks;
}

/** Every answer here is about this moment: no proxy or client may serve it again later. */
const NO_STORE = { 'Cache-Control': 'no-store' };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...NO_STORE });
  res.end(JSON.stringify(body));
}

export function healthRoutes(src: HealthSources): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        const ok = src.started();
        json(res, ok ? 200 : 503, { ok });
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void readiness(src).then((checks) => {
          const ok = Object.values(checks).every((c) => c === 'ok');
          json(res, ok ? 200 : 503, { ok, checks });
        });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        src.metrics.text().then(
          (text) => {
            res.writeHead(200, { 'Content-Type': src.metrics.contentType, ...NO_STORE });
            res.end(text);
          },
          () => json(res, 500, { ok: false, error: 'metrics could not be collected' }),
        );
      },
    },
  ];
}
