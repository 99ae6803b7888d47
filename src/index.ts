import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import dotenv from 'dotenv';
import { createApp, slackClientOptions } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createFollowPoller } from './follow/poller.js';
import { settleAbandonedClaims } from './guard/abandoned-claims.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createOnsimClient } from './onsim/client.js';
import { longestWriteMs } from './onsim/http.js';
import type { Playground } from './playground/index.js';
import { playgroundLine, playgroundSettings } from './playground/settings.js';
import { createPortWatcher } from './porting/index.js';
import { boltLogger } from './slack/bolt-logger.js';
import { openStore } from './store/index.js';

function explainConfig(err: ConfigError): string {
  return [
    'onsim-bot cannot start: its configuration is incomplete.',
    ...err.problems.map((p) => `  • ${p}`),
    '',
    'Set these in the environment or in a .env file (see .env.example and the README, "Set-up").',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  dotenv.config({ path: process.env.DOTENV_CONFIG_PATH ?? '.env', quiet: true });
  // Without Slack credentials: the playground (see src/playground), unless PLAYGROUND=0.
  const playgroundMode = playgroundSettings(process.env);
  let config: Config;
  try {
    config = loadConfig(playgroundMode?.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(explainConfig(err));
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  const metrics = createMetrics();
  if (playgroundMode?.scratchDir) mkdirSync(playgroundMode.scratchDir, { recursive: true });
  const store = await openStore(config.databaseUrl, {
    onsim: { sandbox: !config.onsim.apiKey, baseUrl: config.onsim.baseUrl },
  });
  logger.info({ engine: store.engine }, 'store ready');

  // Loaded only without ONSIM_API_KEY: a bot on the real ONSIM never pays for the sandbox's
  // routes, seed data and schemas (as production never pays for the playground, below).
  const sandbox = config.onsim.apiKey
    ? null
    : await import('./onsim/sandbox/server.js').then(({ startSandbox }) => startSandbox({ port: 0, logger }));
  if (sandbox && !playgroundMode) {
    logger.warn(
      { url: sandbox.url },
      'ONSIM_API_KEY is not set: running against the built-in ONSIM SANDBOX (test data)',
    );
  }
  const onsim = createOnsimClient({
    baseUrl: sandbox?.url ?? config.onsim.baseUrl,
    apiKey: sandbox?.apiKey ?? config.onsim.apiKey ?? '',
    timeoutMs: config.onsim.timeoutMs,
    maxResponseBytes: config.onsim.maxResponseBytes,
    logger,
    metrics,
  });

  let playground: Playground | null = null;
  if (playgroundMode) {
    // Loaded only here: production never pays for the emulator, the UI bundler and the emoji names.
    const { startPlayground } = await import('./playground/index.js');
    playground = await startPlayground({
      host: playgroundMode.host,
      port: config.slack.port,
      sandbox,
      logger,
    });
    config = { ...config, slack: { ...config.slack, apiUrl: playground.apiUrl } };
  }

  let ready = false;
  const { app, deps, drain } = createApp({
    config,
    logger,
    onsim,
    store,
    sandbox: sandbox !== null,
    isReady: () => ready,
    metrics,
  });

  // The outbox delivers porting alerts itself, with its own backoff: no client-side retries.
  const outboxClient = new WebClient(config.slack.botToken, {
    ...slackClientOptions(config, { sandbox: sandbox !== null, metrics }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: boltLogger(logger),
  });
  const instanceId = randomUUID();
  const watcher = createPortWatcher({
    store,
    onsim,
    slack: outboxClient,
    logger,
    pollSeconds: config.portingPollSeconds,
    instanceId,
    metrics,
  });
  // eSIM installs and data usage, followed by one poller across instances (its own lease).
  const follow = createFollowPoller({
    store,
    onsim,
    slack: outboxClient,
    logger,
    instanceId,
    esimPollSeconds: config.esimFollowUp.pollSeconds,
    esimHours: config.esimFollowUp.hours,
    usagePollSeconds: config.usagePollSeconds,
  });

  if (playground) {
    // The bot's own receiver listens privately; the playground passes /slack/events on to it.
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    const { port } = server.address() as AddressInfo;
    await playground.attachBot({
      url: `http://127.0.0.1:${port}`,
      signingSecret: config.slack.signingSecret ?? '',
    });
    process.stdout.write(`${playgroundLine(playground.url, sandbox === null)}\n`);
  } else if (config.slack.mode === 'socket') {
    await app.start();
    logger.info(
      { port: config.slack.port },
      'connected to Slack in Socket Mode; /healthz, /readyz and /metrics served on PORT',
    );
  } else {
    const server = (await app.start(config.slack.port)) as Server;
    const addr = server.address();
    logger.info(
      { port: typeof addr === 'object' && addr ? addr.port : config.slack.port },
      'listening for Slack on /slack/events (and /healthz, /readyz, /metrics)',
    );
  }
  watcher.start();
  follow.start();
  // Role decisions come from a cache: fill it now and keep it fresh, so no request waits on Slack.
  const warmRoles = () => void deps.roles.warm();
  warmRoles();
  const rolesWarmer = setInterval(warmRoles, 4 * 60_000);
  rolesWarmer.unref();
  // Confirmed actions left half-done by a stopped instance are reported as "outcome unknown".
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = settleAbandonedClaims(deps, app.client).catch((err: unknown) =>
      logger.error({ err }, 'could not settle abandoned confirmations'),
    );
  };
  sweep();
  const sweeper = setInterval(sweep, 5 * 60_000);
  sweeper.unref();
  ready = true;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ready = false;
    logger.info({ signal }, 'shutting down: finishing in-flight work');
    // Long enough for the slowest write to finish (its outcome must not be lost), then a margin.
    const drainMs = Math.max(10_000, longestWriteMs(config.onsim.timeoutMs) + 5_000);
    const force = setTimeout(() => process.exit(1), drainMs + 10_000);
    force.unref();
    try {
      await app.stop(); // no new requests
      if (!(await drain(drainMs))) {
        logger.warn({ drainMs }, 'some Slack requests were still running when the drain time was up');
      }
      clearInterval(sweeper);
      clearInterval(rolesWarmer);
      await sweeping;
      await watcher.stop();
      await follow.stop();
      await playground?.close();
      await sandbox?.close();
      await store.close();
      if (playgroundMode?.scratchDir) rmSync(playgroundMode.scratchDir, { recursive: true, force: true });
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`onsim-bot failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
