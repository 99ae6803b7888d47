import { App, HTTPReceiver } from '@slack/bolt';
import { createBackground } from './background.js';
import type { Config } from './config.js';
import type { AppDeps } from './deps.js';
import { registerListeners } from './listeners.js';
import type { Logger } from './logger.js';
import type { OnsimClient } from './onsim/client.js';
import { accessGate } from './slack/access-gate.js';
import { boltLogger } from './slack/bolt-logger.js';
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
  /** `GET /healthz` answers 200 only while this says so. */
  isReady?: () => boolean;
}

/** Web API options for replies: a few quick retries, never Slack's default 30 minutes of them. */
export function slackClientOptions(config: Config, opts: { sandbox: boolean }) {
  return {
    slackApiUrl: config.slack.apiUrl,
    // On the sandbox, everything the bot shows in Slack says so (see slack/sandbox-mark.ts).
    ...(opts.sandbox ? { fetch: sandboxMarkingFetch() } : {}),
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
  const common = {
    token: config.slack.botToken,
    logger: boltLogger(logger),
    clientOptions: slackClientOptions(config, { sandbox: opts.sandbox }),
  };
  const app =
    config.slack.mode === 'socket'
      ? new App({ ...common, socketMode: true, appToken: config.slack.appToken })
      : new App({
          ...common,
          receiver: new HTTPReceiver({
            signingSecret: config.slack.signingSecret ?? '',
            endpoints: '/slack/events',
            logger: boltLogger(logger),
            customRoutes: [
              {
                path: '/healthz',
                method: ['GET'],
                handler: (_req, res) => {
                  const ready = opts.isReady?.() ?? true;
                  res.writeHead(ready ? 200 : 503, { 'Content-Type': 'application/json' });
                  res.end(JSON.stringify({ ok: ready }));
                },
              },
            ],
          }),
        });

  const deps: AppDeps = {
    config,
    logger,
    onsim: opts.onsim,
    store: opts.store,
    sandbox: opts.sandbox,
    now: opts.now ?? Date.now,
    background: createBackground(logger),
    roles: createRoles({
      admins: config.admins,
      operators: config.operators,
      viewers: config.viewers,
      client: app.client,
      logger,
    }),
  };

  // Listeners keep working after their ack (answers, audit lines): count them, so a shutdown can
  // wait for them before closing the store.
  let inFlight = 0;
  let idle: (() => void)[] = [];
  app.use(async ({ next }) => {
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
