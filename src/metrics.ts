// What `GET /metrics` serves, in Prometheus' text format (prom-client). One registry per running
// app, so two apps in one process (tests, the bench) never share counters. Labels take values
// from fixed sets only (subcommand names, ONSIM operations, outcomes, HTTP statuses): never an
// MPN, ICCID, user id or anything typed, so cardinality stays bounded and nothing personal leaves.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const PREFIX = 'onsim_bot_';
/** Slack wants an ack within 3 s: buckets fine below 100 ms, coarse up to the deadline. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3];
const ONSIM_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];
const POLL_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface Metrics {
  readonly registry: Registry;
  /** `/onsim` commands by subcommand (from the command table, or `unknown`/`help`) and outcome. */
  readonly commands: Counter<'subcommand' | 'outcome'>;
  /** Request received → ack sent to Slack, every kind of request. */
  readonly ackSeconds: Histogram<'mode'>;
  readonly onsimCalls: Counter<'operation' | 'status'>;
  readonly onsimSeconds: Histogram<'operation'>;
  readonly onsimRetries: Counter<'operation'>;
  readonly slackRateLimited: Counter<'method'>;
  readonly portingPollSeconds: Histogram<'result'>;
  /** Alerts and notices given to Slack (`sent`), retried later (`retry`) or given up (`failed`). */
  readonly alerts: Counter<'outcome'>;
  readonly confirmations: Counter<'outcome'>;
  /** Gauges read when scraped: each source is asked then (the outbox, pending follow-ups). */
  gauge(name: string, help: string, read: () => Promise<number>): void;
  /** The text served on `GET /metrics`. */
  text(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];
  const gauges = new Set<string>();
  return {
    registry,
    commands: new Counter({
      name: `${PREFIX}commands_total`,
      help: '/onsim commands by subcommand and outcome (answered, refused, failed)',
      labelNames: ['subcommand', 'outcome'],
      registers,
    }),
    ackSeconds: new Histogram({
      name: `${PREFIX}slack_ack_seconds`,
      help: 'Time from receiving a Slack request to acknowledging it',
      labelNames: ['mode'],
      buckets: ACK_BUCKETS,
      registers,
    }),
    onsimCalls: new Counter({
      name: `${PREFIX}onsim_calls_total`,
      help: 'ONSIM API calls (each attempt) by operation and HTTP status (or timeout, network)',
      labelNames: ['operation', 'status'],
      registers,
    }),
    onsimSeconds: new Histogram({
      name: `${PREFIX}onsim_call_seconds`,
      help: 'ONSIM API call latency (each attempt) by operation',
      labelNames: ['operation'],
      buckets: ONSIM_BUCKETS,
      registers,
    }),
    onsimRetries: new Counter({
      name: `${PREFIX}onsim_retries_total`,
      help: 'ONSIM API calls repeated after a retryable failure, by operation',
      labelNames: ['operation'],
      registers,
    }),
    slackRateLimited: new Counter({
      name: `${PREFIX}slack_rate_limited_total`,
      help: 'Slack Web API answers 429 (rate limited), by method',
      labelNames: ['method'],
      registers,
    }),
    portingPollSeconds: new Histogram({
      name: `${PREFIX}porting_poll_seconds`,
      help: 'Porting poll duration by result (baseline, polled, unreachable)',
      labelNames: ['result'],
      buckets: POLL_BUCKETS,
      registers,
    }),
    alerts: new Counter({
      name: `${PREFIX}porting_alerts_total`,
      help: 'Porting outbox items by delivery outcome (sent, retry, failed)',
      labelNames: ['outcome'],
      registers,
    }),
    confirmations: new Counter({
      name: `${PREFIX}confirmations_total`,
      help: 'Confirmations of destructive steps by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    gauge(name, help, read) {
      if (gauges.has(name)) return;
      gauges.add(name);
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        registers,
        async collect() {
          // A source that cannot answer (the store down) shows as NaN rather than failing the scrape.
          this.set(await read().catch(() => Number.NaN));
        },
      });
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
