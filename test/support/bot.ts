import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { AppDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createOnsimClient } from '../../src/onsim/client.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/onsim/sandbox/server.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { blockKitProblems } from './block-kit-limits.js';
import { type FakeSlack, type RecordedResponse, startFakeSlack } from './fake-slack.js';
import { SlackDriver } from './slack-requests.js';
import { waitFor } from './wait.js';

/** The router's note while a command waits for ONSIM ("⏳ Asking ONSIM… it is taking a moment."). */
export const WORKING_NOTE = 'Asking ONSIM';

/** Test users: one per role. `SlackDriver` sends as `U123` (a viewer) unless told otherwise. */
export const USERS = { admin: 'UADMIN', operator: 'UOPER', viewer: 'U123', otherOperator: 'UOPER2' } as const;
export const SIGNING_SECRET = 'test-signing-secret';

export interface TestBotOptions {
  /** Extra environment, as the bot would read it (e.g. `{ QR_DELIVERY: 'dm' }`). */
  env?: Record<string, string>;
  sandbox?: SandboxOptions;
  /** Share a sandbox between bots (two instances of the app). */
  sharedSandbox?: Sandbox;
  /** Share a fake Slack between bots. */
  sharedSlack?: FakeSlack;
  /** Default: a fresh SQLite file in a temp dir. */
  databaseUrl?: string;
  /** Retry and timeout settings of the ONSIM client, kept short for tests. */
  onsimTimeoutMs?: number;
  now?: () => number;
  /** Default debug, so tests can read every line; the bench runs at info, as production does. */
  logLevel?: string;
  /** Run as if on the built-in sandbox (ONSIM_API_KEY unset): every reply is marked. */
  sandboxMode?: boolean;
}

export interface TestBot {
  url: string;
  driver: SlackDriver;
  slack: FakeSlack;
  sandbox: Sandbox;
  store: Store;
  deps: AppDeps;
  app: App;
  /** Waits for every running listener to finish (see createApp). */
  drain(timeoutMs: number): Promise<boolean>;
  /** Every log line the bot wrote, as raw JSON text. */
  logs: string[];
  /** Every Block Kit payload the bot sent that breaks a limit (checked again on close). */
  blockKitProblems(): string[];
  /** The first reply at this response_url that is not the router's working note. */
  answerAt(responseUrl: string, timeoutMs?: number): Promise<RecordedResponse>;
  close(): Promise<void>;
}

export async function startTestBot(opts: TestBotOptions = {}): Promise<TestBot> {
  const slack = opts.sharedSlack ?? (await startFakeSlack());
  const sandbox =
    opts.sharedSandbox ??
    (await startSandbox({ port: 0, portAdvanceMs: null, esimInstallAfterMs: 0, ...opts.sandbox }));
  const dir = opts.databaseUrl ? null : mkdtempSync(join(tmpdir(), 'onsim-bot-test-'));
  const databaseUrl = opts.databaseUrl ?? `sqlite:${join(dir!, 'bot.db')}`;
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    ONSIM_API_KEY: sandbox.apiKey,
    ONSIM_BASE_URL: sandbox.url,
    DATABASE_URL: databaseUrl,
    ADMINS: USERS.admin,
    OPERATORS: `${USERS.operator},${USERS.otherOperator}`,
    LOG_LEVEL: 'debug',
    ...opts.env,
  });
  const logs: string[] = [];
  const logger = createLogger({
    level: opts.logLevel ?? 'debug',
    destination: { write: (line: string) => void logs.push(line) },
  });
  const store = await openStore(databaseUrl);
  const metrics = createMetrics();
  const onsim = createOnsimClient({
    metrics,
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    logger,
    timeoutMs: opts.onsimTimeoutMs ?? 2_000,
    readRetry: { baseDelayMs: 20, maxDelayMs: 100, totalBudgetMs: 3_000 },
    writeRetry: { baseDelayMs: 20, maxDelayMs: 100, totalBudgetMs: 3_000 },
  });
  const authCallsBefore = slack.callsTo('auth.test').length;
  const { app, deps, drain } = createApp({
    config,
    logger,
    onsim,
    store,
    sandbox: opts.sandboxMode ?? false,
    now: opts.now,
    metrics,
  });
  const server = (await app.start(0)) as Server;
  // Bolt checks the token with auth.test right after construction; let it finish, or a test that
  // closes quickly leaves it retrying against a closed fake Slack.
  await waitFor(() => slack.callsTo('auth.test').length > authCallsBefore, { what: "Bolt's auth.test" });
  await new Promise((r) => setTimeout(r, 20));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const driver = new SlackDriver({ url: `${url}/slack/events`, signingSecret: SIGNING_SECRET, fake: slack });

  const problems = () => allBlockKitProblems(slack);
  return {
    url,
    driver,
    slack,
    sandbox,
    store,
    deps,
    app,
    logs,
    drain,
    blockKitProblems: problems,
    answerAt: (responseUrl, timeoutMs = 5_000) =>
      waitFor(() => slack.responsesTo(responseUrl).find((r) => !String(r.body.text).includes(WORKING_NOTE)), {
        what: `the answer at ${responseUrl}`,
        timeoutMs,
      }),
    async close() {
      const found = problems();
      await app.stop();
      await store.close();
      if (!opts.sharedSandbox) await sandbox.close();
      if (!opts.sharedSlack) await slack.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (found.length > 0) throw new Error(`Block Kit limits broken:\n${found.join('\n')}`);
    },
  };
}

/** Checks every message, modal and Home view the bot sent to the fake Slack. */
export function allBlockKitProblems(slack: FakeSlack): string[] {
  const out: string[] = [];
  for (const call of slack.calls) {
    const a = call.args;
    if (['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(call.method) && a.blocks) {
      out.push(
        ...blockKitProblems('message', { blocks: a.blocks as unknown[], text: a.text as string }).map(
          (p) => `${call.method}: ${p}`,
        ),
      );
    }
    if (['views.open', 'views.update', 'views.push'].includes(call.method)) {
      out.push(...blockKitProblems('modal', { view: a.view }).map((p) => `${call.method}: ${p}`));
    }
    if (call.method === 'views.publish') {
      out.push(...blockKitProblems('home', { view: a.view }).map((p) => `${call.method}: ${p}`));
    }
  }
  for (const r of slack.responses) {
    if (Array.isArray(r.body.blocks)) {
      out.push(
        ...blockKitProblems('message', { blocks: r.body.blocks, text: r.body.text as string }).map(
          (p) => `response: ${p}`,
        ),
      );
    }
  }
  return out;
}
