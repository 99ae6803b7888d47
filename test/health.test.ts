import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createOnsimClient } from '../src/onsim/client.js';
import { SANDBOX_FIXTURES as F } from '../src/onsim/sandbox/server.js';
import { createPortWatcher } from '../src/porting/watcher.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { startTestBot, type TestBot, USERS } from './support/bot.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { type FakeSocketMode, startFakeSocketMode } from './support/fake-socket-mode.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/wait.js';

async function get(
  url: string,
): Promise<{ status: number; type: string | null; cache: string | null; text: string }> {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    cache: res.headers.get('cache-control'),
    text: await res.text(),
  };
}

/** The value of one series in Prometheus' text format, e.g. `name{a="b"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('health and metrics in HTTP mode', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it('answers /healthz and /readyz with each check', async () => {
    expect((await get(`${bot.url}/healthz`)).status).toBe(200);
    const ready = await get(`${bot.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ ok: true, checks: { started: 'ok', store: 'ok' } });
  });

  it('lets no cache keep an answer of /healthz, /readyz or /metrics (each is about now)', async () => {
    const answers = await Promise.all(['healthz', 'readyz', 'metrics'].map((r) => get(`${bot.url}/${r}`)));
    expect(answers.map((a) => [a.status, a.cache])).toEqual([
      [200, 'no-store'],
      [200, 'no-store'],
      [200, 'no-store'],
    ]);
  });

  it('is not ready while the store cannot be reached, but stays alive', async () => {
    await bot.store.close();
    const ready = await get(`${bot.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({ ok: false, checks: { store: 'failing' } });
    expect((await get(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('counts commands, acks, ONSIM calls, Slack 429s and confirmations, with no personal data as a label', async () => {
    const account = await bot.driver.command('account 07700 900123', { user: USERS.viewer });
    await waitFor(() => bot.slack.responsesTo(account.responseUrl).length > 0, { what: 'the account card' });
    const refused = await bot.driver.command(`cease ${F.readyEsimIccid}`, { user: USERS.viewer });
    await waitFor(() => bot.slack.responsesTo(refused.responseUrl).length > 0, { what: 'the refusal' });
    await bot.driver.command('no-such-thing 447700900123');
    const refresh = await bot.driver.command(`esim-refresh ${F.readyEsimMpn}`, { user: USERS.operator });
    await waitFor(() => bot.slack.responsesTo(refresh.responseUrl).length > 0, { what: 'the confirmation' });
    bot.slack.failNext('views.open', { status: 429, retryAfter: 0 });
    await bot.driver.command('group add', { user: USERS.operator });
    await waitFor(() => bot.slack.callsTo('views.open').length >= 2, { what: 'views.open, retried' });
    await bot.drain(5_000);

    const metrics = await get(`${bot.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    const m = metrics.text;
    expect(sample(m, 'onsim_bot_commands_total{subcommand="account",outcome="answered"}')).toBe(1);
    expect(sample(m, 'onsim_bot_commands_total{subcommand="cease",outcome="refused"}')).toBe(1);
    expect(sample(m, 'onsim_bot_commands_total{subcommand="unknown",outcome="refused"}')).toBe(1);
    expect(sample(m, 'onsim_bot_slack_ack_seconds_count{mode="http"}')).toBe(5);
    expect(sample(m, 'onsim_bot_onsim_calls_total{operation="account info",status="200"}')).toBe(1);
    expect(sample(m, 'onsim_bot_onsim_call_seconds_count{operation="account info"}')).toBe(1);
    expect(sample(m, 'onsim_bot_slack_rate_limited_total{method="views.open"}')).toBe(1);
    expect(sample(m, 'onsim_bot_confirmations_total{outcome="requested"}')).toBe(1);
    expect(sample(m, 'onsim_bot_porting_outbox_depth')).toBe(0);
    expect(m).toContain('onsim_bot_process_resident_memory_bytes');
    // Labels name subcommands, operations and outcomes only: never who, which line, or what was typed.
    for (const personal of [
      USERS.viewer,
      USERS.operator,
      '447700900123',
      '07700',
      F.readyEsimIccid,
      'no-such',
    ]) {
      expect(m).not.toContain(personal);
    }
  });

  it('shows the eSIM installs still followed', async () => {
    const before = (await get(`${bot.url}/metrics`)).text;
    expect(sample(before, 'onsim_bot_esim_followups_pending')).toBe(0);
    const sent = await bot.driver.command(`qr ${F.readyEsimMpn}`, { user: USERS.operator });
    expect(sent.status).toBe(200);
    await waitFor(
      async () => sample((await get(`${bot.url}/metrics`)).text, 'onsim_bot_esim_followups_pending') === 1,
      { what: 'a follow-up pending after the QR was posted' },
    );
  });

  it('counts ONSIM retries by operation and status', async () => {
    bot.sandbox.setFault({ status: 503, times: 1 });
    const sent = await bot.driver.command('account 07700 900123');
    await waitFor(() => bot.slack.responsesTo(sent.responseUrl).length > 0, { what: 'the account card' });
    const m = (await get(`${bot.url}/metrics`)).text;
    expect(sample(m, 'onsim_bot_onsim_calls_total{operation="account info",status="503"}')).toBe(1);
    expect(sample(m, 'onsim_bot_onsim_calls_total{operation="account info",status="200"}')).toBe(1);
    expect(sample(m, 'onsim_bot_onsim_retries_total{operation="account info"}')).toBe(1);
  });
});

describe('porting metrics', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it('times each poll by its result, and counts the outbox and the alerts sent', async () => {
    const watcher = createPortWatcher({
      store: bot.store,
      onsim: bot.deps.onsim,
      slack: new WebClient('xoxb-test', {
        slackApiUrl: bot.slack.apiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        logLevel: LogLevel.ERROR,
      }),
      logger: bot.deps.logger,
      pollSeconds: 60,
      instanceId: 'metrics-test',
      channelPaceMs: 0,
      metrics: bot.deps.metrics,
    });
    await bot.store.addWatch({ channelId: 'CPORT', states: [], number: null, createdBy: 'U1', createdAt: 0 });
    await watcher.pollOnce();
    const [first] = [...bot.sandbox.state.ports.keys()];
    bot.sandbox.setPortStatus(first ?? '', 'FAILED');
    await watcher.pollOnce();
    let m = (await get(`${bot.url}/metrics`)).text;
    expect(sample(m, 'onsim_bot_porting_poll_seconds_count{result="baseline"}')).toBe(1);
    expect(sample(m, 'onsim_bot_porting_poll_seconds_count{result="polled"}')).toBe(1);
    expect(sample(m, 'onsim_bot_porting_outbox_depth')).toBe(1);
    await watcher.deliverOnce();
    m = (await get(`${bot.url}/metrics`)).text;
    expect(sample(m, 'onsim_bot_porting_outbox_depth')).toBe(0);
    expect(sample(m, 'onsim_bot_porting_alerts_total{outcome="sent"}')).toBe(1);
    await bot.store.releaseLock('porting-poller', 'metrics-test');
  });
});

describe('Socket Mode also serves health and metrics on PORT', () => {
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  let store: Store;
  let stop: () => Promise<void>;
  let base: string;
  beforeEach(async () => {
    slack = await startFakeSlack();
    socket = await startFakeSocketMode();
    slack.setSocketModeUrl(socket.url);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-test',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
    });
    const logger = createLogger({ level: 'silent' });
    store = await openStore('sqlite::memory:');
    const onsim = createOnsimClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', logger });
    let started = false;
    const { app } = createApp({ config, logger, onsim, store, sandbox: false, isReady: () => started });
    await app.start();
    started = true;
    stop = async () => {
      started = false;
      await app.stop();
    };
  });
  afterEach(async () => {
    await stop();
    await store.close();
    await socket.close();
    await slack.close();
  });

  it('answers /healthz, /readyz and /metrics, and nothing else', async () => {
    await waitFor(async () => (await get(`${base}/healthz`).catch(() => null))?.status === 200, {
      what: '/healthz',
    });
    const ready = await get(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ ok: true, checks: { started: 'ok', store: 'ok', slack: 'ok' } });
    expect((await get(`${base}/metrics`)).text).toContain('onsim_bot_commands_total');
    for (const path of ['/slack/events', '/', '/slack/install']) {
      expect((await get(`${base}${path}`)).status).toBe(404);
    }
  });

  it('times acks on the WebSocket and counts the command', async () => {
    await socket.send('slash_commands', {
      command: '/onsim',
      text: 'help',
      user_id: USERS.viewer,
      channel_id: 'C123',
      team_id: 'T1',
      response_url: slack.responseUrl('help'),
      trigger_id: '1.2.3',
    });
    const m = await waitFor(
      async () => {
        const text = (await get(`${base}/metrics`)).text;
        return sample(text, 'onsim_bot_commands_total{subcommand="help",outcome="answered"}') === 1 && text;
      },
      { what: 'the help command counted' },
    );
    expect(sample(m, 'onsim_bot_slack_ack_seconds_count{mode="socket"}')).toBe(1);
  });

  it('is not ready while the WebSocket to Slack is down, and ready again once it reconnects', async () => {
    await waitFor(async () => (await get(`${base}/readyz`).catch(() => null))?.status === 200, {
      what: 'ready',
    });
    socket.drop({ refuse: true });
    const down = await waitFor(
      async () => {
        const res = await get(`${base}/readyz`);
        return res.status === 503 && res;
      },
      { what: '/readyz to fail' },
    );
    expect(JSON.parse(down.text)).toMatchObject({ ok: false, checks: { slack: 'failing' } });
    expect((await get(`${base}/healthz`)).status).toBe(200);
    socket.accept();
    await waitFor(async () => (await get(`${base}/readyz`)).status === 200, {
      timeoutMs: 25_000,
      what: '/readyz after the reconnection',
    });
  }, 40_000);
});
