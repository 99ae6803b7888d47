import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { accessGate } from './access-gate.js';
import { createBackground } from './background.js';
import type { Config } from './config.js';
import type { AppDeps } from './deps.js';
import { healthRoutes } from './health.js';
import { registerListeners } from './listeners.js';
import { type Logger, maskTheseValues } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { OnsimClient } from './onsim/client.js';
import { createReadLimiter } from './read-limit.js';
import { markArrival } from './slack/ack-budget.js';
import { boltLogger } from './slack/bolt-logger.js';
import { rateLimitCountingFetch } from './slack/rate-limit-count.js';
import { createRoles } from './slack/roles.js';
import { sandboxMarkingFetch } from './slack/sandbox-mark.js';
import type { Store } from './store/types.js';

export interface CreateAppOptions {
  config: Config;
  logger: Logger;
  onsim: OnsimClient;
  store: Store;
  sandbox: boolean;
  now?: () => number;
  /** `GET /healthz` answers 200 only while this says so (see health.ts). */
  isReady?: () => boolean;
  /** Default: a registry of this app's own. */
  metrics?: Metrics;
}

/** Web API options for replies: a few quick retries, never Slack's default 30 minutes of them. */
export function slackClientOptions(config: Config, opts: { sandbox: boolean; metrics: Metrics }) {
  return {
    slackApiUrl: config.slack.apiUrl,
    // On the sandbox, everything the bot shows in Slack says so (see slack/sandbox-mark.ts).
    fetch: rateLimitCountingFetch(opts.metrics, opts.sandbox ? sandboxMarkingFetch() : globalThis.fetch),
    retryConfig: { retries: 2, factor: 2, minTimeout: 300, maxTimeout: 2_000, randomize: true },
    timeout: 10_000,
  };
}

/** Builds the Bolt app and registers every listener. Starting it is the caller's business. */
export interface BuiltApp {
  app: App;
  deps: AppDeps;
  /** Resolves once every listener that has started has finished (for a graceful shutdown). */
  drain(timeoutMs: number): Promise<boolean>;
}

export function createApp(opts: CreateAppOptions): BuiltApp {
  const { config, logger } = opts;
  maskTheseValues([
    config.onsim.apiKey,
    config.slack.botToken,
    config.slack.appToken,
    config.slack.signingSecret,
  ]);
  const metrics = opts.metrics ?? createMetrics();
  const common = {
    token: config.slack.botToken,
    logger: boltLogger(logger),
    clientOptions: slackClientOptions(config, { sandbox: opts.sandbox, metrics }),
  };
  metrics.gauge('porting_outbox_depth', 'Porting outbox items not delivered yet', () =>
    opts.store.outboxDepth(),
  );
  metrics.gauge('esim_followups_pending', 'eSIM installs still being followed', () =>
    opts.store.pendingEsimFollowUps(),
  );
  let slackConnected: (() => boolean) | undefined;
  const routes = healthRoutes({
    store: opts.store,
    metrics,
    started: () => opts.isReady?.() ?? true,
    slackConnected: config.slack.mode === 'socket' ? () => slackConnected?.() ?? false : undefined,
  });
  let app: App;
  if (config.slack.mode === 'socket') {
    // Its HTTP listener on PORT serves the health and metrics routes, nothing else.
    const receiver = new SocketModeReceiver({
      appToken: config.slack.appToken ?? '',
      logger: boltLogger(logger),
      customRoutes: routes,
      installerOptions: { port: config.slack.port, clientOptions: common.clientOptions },
    });
    slackConnected = trackConnection(receiver);
    timeSocketAcks(receiver, metrics);
    app = new App({ ...common, receiver });
  } else {
    const receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? '',
      endpoints: '/slack/events',
      logger: boltLogger(logger),
      customRoutes: routes,
    });
    timeHttpAcks(receiver, metrics);
    app = new App({ ...common, receiver });
  }

  const deps: AppDeps = {
    config,
    logger,
    onsim: opts.onsim,
    store: opts.store,
    sandbox: opts.sandbox,
    now: opts.now ?? Date.now,
    background: createBackground(logger),
    readLimiter: createReadLimiter(config.userReadsPerMinute, opts.now ?? Date.now),
    metrics,
    roles: createRoles({
      admins: config.admins,
      operators: config.operators,
      viewers: config.viewers,
      client: app.client,
      logger,
      now: opts.now,
    }),
  };

  // Listeners keep working after their ack (answers, audit lines): count them, so a shutdown can
  // wait for them before closing the store.
  let inFlight = 0;
  let idle: (() => void)[] = [];
  app.use(async ({ context, next }) => {
    markArrival(context);
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
      if (inFlight === 0) {
        for (const wake of idle) wake();
        idle = [];
      }
    }
  });

  app.use(accessGate(deps));
  registerListeners(app, deps);
  app.error(async (err) => {
    logger.error({ err }, 'unhandled error in a Slack listener');
  });
  const listenersDone = (timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      if (inFlight === 0) return resolve(true);
      const timer = setTimeout(() => resolve(false), timeoutMs);
      idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  const drain = async (timeoutMs: number) => {
    const started = Date.now();
    const listeners = await listenersDone(timeoutMs);
    const background = await deps.background.idle(Math.max(0, timeoutMs - (Date.now() - started)));
    return listeners && background;
  };
  return { app, deps, drain };
}

/** Whether the Socket Mode client's WebSocket is connected (Slack said hello, no close since). */
function trackConnection(receiver: SocketModeReceiver): () => boolean {
  let connected = false;
  receiver.client.on('connected', () => {
    connected = true;
  });
  for (const down of ['disconnecting', 'disconnected', 'reconnecting', 'close']) {
    receiver.client.on(down, () => {
      connected = false;
    });
  }
  return () => connected;
}

/** Request in → response out on /slack/events: the ack, as Slack sees it. */
function timeHttpAcks(receiver: HTTPReceiver, metrics: Metrics): void {
  const listener = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/slack/events')) {
      const stop = metrics.ackSeconds.startTimer({ mode: 'http' });
      res.once('finish', () => stop());
    }
    return listener(req, res);
  };
}

/**
 * Envelope in → ack sent on the WebSocket. The client's emitter has no prependListener, and
 * Bolt's listener (registered first) copies `ack` at once: the envelope's ack is wrapped as it is
 * emitted, before any listener sees it.
 */
function timeSocketAcks(receiver: SocketModeReceiver, metrics: Metrics): void {
  const socket = receiver.client;
  const emit = socket.emit.bind(socket);
  socket.emit = (event: string | symbol, ...args: unknown[]) => {
    const envelope = args[0] as { ack?: (response?: unknown) => Promise<void> } | undefined;
    if (event === 'slack_event' && typeof envelope?.ack === 'function') {
      const stop = metrics.ackSeconds.startTimer({ mode: 'socket' });
      const ack = envelope.ack;
      envelope.ack = async (response) => {
        try {
          await ack(response);
        } finally {
          stop();
        }
      };
    }
    return emit(event, ...args);
  };
}
