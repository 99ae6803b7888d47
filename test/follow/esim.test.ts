import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FollowPoller } from '../../src/follow/poller.js';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { RecordedCall } from '../support/fake-slack.js';
import { followPollerFor } from '../support/follow.js';
import { freshPostgresUrl } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

const POLL_MS = 60_000;
const HOURS = 24;
const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

let clock = T0;
const bots: TestBot[] = [];
const pollers: FollowPoller[] = [];
const stores: Store[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const b of bots.splice(0).reverse()) await b.close();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function sqliteUrl(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'onsim-follow-'));
  dirs.push(dir);
  return `sqlite:${join(dir, 'bot.db')}`;
}

async function startBot(databaseUrl: string, shared?: TestBot): Promise<TestBot> {
  const bot = await startTestBot({
    databaseUrl,
    now: () => clock,
    ...(shared ? { sharedSandbox: shared.sandbox, sharedSlack: shared.slack } : {}),
  });
  bots.push(bot);
  return bot;
}

/** A poller as index.ts builds it, on `store` (another instance's, or a reopened one). */
function pollerFor(bot: TestBot, store: Store = bot.store): FollowPoller {
  const poller = followPollerFor(bot, {
    store,
    esimPollSeconds: POLL_MS / 1000,
    esimHours: HOURS,
    now: () => clock,
  });
  pollers.push(poller);
  return poller;
}

/** An operator posts the QR of Harry Whitfield's eSIM (ready to install) in C123. */
async function postQr(bot: TestBot): Promise<{ ts: string; fileId: string }> {
  const sent = await bot.driver.command(`qr ${F.readyEsimMpn}`, { user: USERS.operator, channel: 'C123' });
  expect(sent.status).toBe(200);
  const message = await waitFor(
    () => bot.slack.callsTo('chat.postMessage').find((c) => String(c.args.text).startsWith('Delete the QR')),
    { what: 'the Delete QR message' },
  );
  await waitFor(async () => (await bot.store.listEsimFollowUps(['waiting'], 5)).length === 1, {
    what: 'the follow-up',
  });
  const ts = bot.slack
    .messages()
    .find((m) => m.via === 'postMessage' && m.text.startsWith('Delete the QR'))?.ts;
  const fileId = bot.slack.uploads.at(-1)?.fileId;
  if (!ts || !fileId) throw new Error('QR not posted');
  expect(JSON.stringify(message.args.blocks)).toContain('following the installation');
  return { ts, fileId };
}

const installedUpdates = (bot: TestBot, ts: string): RecordedCall[] =>
  bot.slack
    .callsTo('chat.update')
    .filter((c) => c.args.ts === ts && String(c.args.text).includes('installed'));
const timeoutNotes = (bot: TestBot, ts: string): RecordedCall[] =>
  bot.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.args.thread_ts === ts && String(c.args.text).includes('not installed'));

describe('eSIM install follow-up', () => {
  it('updates the QR message once when the eSIM is installed, and deletes the QR image', async () => {
    clock = T0;
    const bot = await startBot(await sqliteUrl());
    const { ts, fileId } = await postQr(bot);
    const poller = pollerFor(bot);

    clock += POLL_MS;
    expect(await poller.tickOnce()).toMatchObject({ status: 'ran', esims: 1 });
    expect(bot.sandbox.requestsTo('POST', '/account/esim').at(-1)?.body).toMatchObject({
      mpn: F.readyEsimMpn,
      refresh_code: 0,
    });
    expect(installedUpdates(bot, ts)).toHaveLength(0);

    bot.sandbox.installEsim(F.readyEsimIccid);
    clock += POLL_MS;
    await poller.tickOnce();
    const [update] = installedUpdates(bot, ts);
    expect(update?.args.channel).toBe('C123');
    expect(JSON.stringify(update?.args.blocks)).toContain('was installed on the device at <!date^');
    expect(JSON.stringify(update?.args.blocks)).toContain(
      'The QR image was deleted, so nobody else can scan it',
    );
    expect(bot.slack.callsTo('files.delete').map((c) => c.args.file)).toEqual([fileId]);

    const asked = bot.sandbox.requestsTo('POST', '/account/esim').length;
    for (let i = 0; i < 3; i++) {
      clock += POLL_MS;
      await poller.tickOnce();
    }
    expect(installedUpdates(bot, ts)).toHaveLength(1);
    expect(bot.slack.callsTo('files.delete')).toHaveLength(1);
    expect(bot.sandbox.requestsTo('POST', '/account/esim')).toHaveLength(asked);
  });

  it('posts one thread note when the eSIM is not installed in time, then stops', async () => {
    clock = T0;
    const bot = await startBot(await sqliteUrl());
    const { ts } = await postQr(bot);
    const poller = pollerFor(bot);
    clock += HOURS * 3_600_000 + 1;
    await poller.tickOnce();
    const notes = timeoutNotes(bot, ts);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.args.channel).toBe('C123');
    expect(JSON.stringify(notes[0]?.args.blocks)).toContain(`not installed within ${HOURS} h`);
    clock += POLL_MS;
    await poller.tickOnce();
    bot.sandbox.installEsim(F.readyEsimIccid);
    clock += POLL_MS;
    await poller.tickOnce();
    expect(timeoutNotes(bot, ts)).toHaveLength(1);
    expect(installedUpdates(bot, ts)).toHaveLength(0);
    expect(bot.slack.callsTo('files.delete')).toHaveLength(0);
  });

  it('survives a restart in between: neither lost nor repeated, even when Slack failed mid-way', async () => {
    clock = T0;
    const url = await sqliteUrl();
    const bot = await startBot(url);
    const { ts } = await postQr(bot);
    const first = pollerFor(bot);
    bot.sandbox.installEsim(F.readyEsimIccid);
    bot.slack.failNext('chat.update', { error: 'internal_error' });
    clock += POLL_MS;
    await first.tickOnce();
    expect(installedUpdates(bot, ts)).toHaveLength(1); // the failed attempt
    await first.stop();

    // A new process: its own store connection and poller on the same database.
    const reopened = await openStore(url);
    stores.push(reopened);
    const second = pollerFor(bot, reopened);
    clock += 10 * POLL_MS;
    await second.tickOnce();
    await second.tickOnce();
    const ok = bot.slack.callsTo('chat.update').filter((c) => c.args.ts === ts);
    expect(ok).toHaveLength(2);
    const [done] = await reopened.listEsimFollowUps(['installed'], 5);
    expect(done?.installedAt).toBe(T0 + POLL_MS);
    clock += POLL_MS;
    await second.tickOnce();
    expect(bot.slack.callsTo('chat.update').filter((c) => c.args.ts === ts)).toHaveLength(2);
  });

  it('is followed once by two instances on one PostgreSQL', async () => {
    clock = T0;
    const url = await freshPostgresUrl();
    const a = await startBot(url);
    const b = await startBot(url, a);
    const { ts } = await postQr(a);
    const pa = pollerFor(a);
    const pb = pollerFor(b);
    clock += POLL_MS;
    const results = await Promise.all([pa.tickOnce(), pb.tickOnce()]);
    expect(results.map((r) => r.status).sort()).toEqual(['ran', 'skipped']);
    a.sandbox.installEsim(F.readyEsimIccid);
    for (let i = 0; i < 3; i++) {
      clock += POLL_MS;
      await Promise.all([pa.tickOnce(), pb.tickOnce()]);
    }
    expect(installedUpdates(a, ts)).toHaveLength(1);
    expect(a.slack.callsTo('files.delete')).toHaveLength(1);
  });

  it('stops following when the SIM is ceased, and backs off while ONSIM rate-limits', async () => {
    clock = T0;
    const bot = await startBot(await sqliteUrl());
    const { ts } = await postQr(bot);
    const poller = pollerFor(bot);

    bot.sandbox.setFault({ status: 429, retryAfter: 120, times: 1 });
    clock += POLL_MS;
    expect(await poller.tickOnce()).toMatchObject({ status: 'paused' });
    // Counted, not read off the request log: the log keeps only the last 1,000.
    const asked = bot.sandbox.requestCount;
    clock += 60_000;
    expect(await poller.tickOnce()).toMatchObject({ status: 'paused' });
    expect(bot.sandbox.requestCount).toBe(asked);

    bot.sandbox.setFault({ status: 503, times: 100 });
    clock += 61_000;
    expect(await poller.tickOnce()).toMatchObject({ status: 'ran', failed: 1 });
    const [waiting] = await bot.store.listEsimFollowUps(['waiting'], 5);
    expect(waiting?.failures).toBe(1);
    expect(waiting?.nextCheckAt).toBeGreaterThan(clock + POLL_MS);
    bot.sandbox.setFault(null);

    await bot.deps.onsim.account.cease(F.readyEsimIccid);
    clock += 10 * POLL_MS;
    await poller.tickOnce();
    const ceased = bot.slack.callsTo('chat.update').filter((c) => c.args.ts === ts);
    expect(ceased).toHaveLength(1);
    expect(JSON.stringify(ceased[0]?.args.blocks)).toContain('stopped following it');
    const asked2 = bot.sandbox.requestsTo('POST', '/account/esim').length;
    clock += 10 * POLL_MS;
    await poller.tickOnce();
    expect(bot.sandbox.requestsTo('POST', '/account/esim')).toHaveLength(asked2);
    expect(timeoutNotes(bot, ts)).toHaveLength(0);
  });
});
