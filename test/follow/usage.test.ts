// Data-usage alerts end to end: `/onsim usage …` through the real bot, the real follow poller
// reading the ONSIM sandbox over HTTP and posting to the fake Slack, on a real SQLite file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FollowPoller } from '../../src/follow/poller.js';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_ACCOUNT_BUNDLE } from '../../src/views/action-ids.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { RecordedCall } from '../support/fake-slack.js';
import { followPollerFor } from '../support/follow.js';
import { waitFor } from '../support/wait.js';

const POLL_MS = 900_000;
const MPN = F.installedEsimMpn; // Olivia Bennett, DATA-10GB (10,240 MB)
let clock = Date.UTC(2026, 10, 20, 12, 0, 0);
let bot: TestBot;
let poller: FollowPoller;

beforeEach(async () => {
  bot = await startTestBot({ now: () => clock });
  poller = followPollerFor(bot, { usagePollSeconds: POLL_MS / 1000, now: () => clock });
});
afterEach(async () => {
  await poller.stop();
  await bot.close();
});

async function ask(text: string, user: string = USERS.operator) {
  const sent = await bot.driver.command(text, { user, channel: 'C123' });
  expect(sent.status).toBe(200);
  const answer = await bot.answerAt(sent.responseUrl);
  return JSON.stringify(answer.body.blocks);
}

const alerts = (): RecordedCall[] =>
  bot.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === 'C123' && /has used/.test(String(c.args.text)));

async function tick(ms = POLL_MS) {
  clock += ms;
  return poller.tickOnce();
}

describe('/onsim usage', () => {
  it('alerts once past the threshold, once more at 100 %, and again in a new period', async () => {
    bot.sandbox.setUsage(MPN, 5_120);
    const answer = await ask('usage watch 07700 900123');
    expect(answer).toContain('Watching *+44 7700 900123* at 80%');
    expect(answer).toContain('It is at 50% of 10GB now');
    const [entry] = await bot.store.listAudit({ target: MPN, limit: 5 });
    expect(entry).toMatchObject({ operation: 'usage watch', event: 'succeeded', userId: USERS.operator });

    await tick(0);
    expect(alerts()).toHaveLength(0);

    bot.sandbox.setUsage(MPN, 8_400);
    await tick();
    expect(alerts()).toHaveLength(1);
    const first = alerts()[0]!;
    expect(String(first.args.text)).toContain('has used 82% of its data');
    const button = JSON.stringify(first.args.blocks);
    expect(button).toContain(`"action_id":"${ACTION_ACCOUNT_BUNDLE}"`);
    expect(button).toContain(`"value":"${MPN}"`);

    await tick();
    bot.sandbox.setUsage(MPN, 9_900);
    await tick();
    expect(alerts()).toHaveLength(1);

    bot.sandbox.setUsage(MPN, 10_240);
    await tick();
    expect(alerts()).toHaveLength(2);
    expect(String(alerts()[1]?.args.text)).toContain('has used all of its data');
    await tick();
    expect(alerts()).toHaveLength(2);

    bot.sandbox.setBundlePeriod({ from: '2026-12-01 00:00:00', to: '2027-01-01 00:00:00' });
    await tick();
    expect(alerts()).toHaveLength(2);
    bot.sandbox.setUsage(MPN, 9_000);
    await tick();
    expect(alerts()).toHaveLength(3);
    expect(String(alerts()[2]?.args.text)).toContain('87%');
  });

  it('crossing both at once gives the 100 % alert only', async () => {
    bot.sandbox.setUsage(MPN, 1_000);
    await ask('usage watch +44 7700 900123 90');
    await tick(0);
    bot.sandbox.setUsage(MPN, 10_240);
    await tick();
    expect(alerts().map((c) => String(c.args.text))).toEqual(['+44 7700 900123 has used all of its data']);
  });

  it('waits out 429s and 5xx from ONSIM, and a Slack failure, without ever posting twice', async () => {
    bot.sandbox.setUsage(MPN, 9_000);
    await ask('usage watch 447700900123');
    bot.sandbox.setFault({ status: 503, times: 100, match: { pathPrefix: '/account/' } });
    expect(await tick(0)).toMatchObject({ status: 'ran', failed: 1 });
    expect(alerts()).toHaveLength(0);
    const [backedOff] = await bot.store.listUsageWatches('C123');
    expect(backedOff?.failures).toBe(1);

    bot.sandbox.setFault({ status: 429, retryAfter: 600, times: 1 });
    await tick();
    expect(await poller.tickOnce()).toMatchObject({ status: 'paused' });
    expect(alerts()).toHaveLength(0);

    bot.sandbox.setFault(null);
    bot.slack.failNext('chat.postMessage', { error: 'internal_error' });
    await tick(601_000);
    expect(alerts()).toHaveLength(1); // refused by Slack
    await tick();
    await tick();
    const delivered = alerts();
    expect(delivered).toHaveLength(2); // the refused attempt, then the one that went out
    const [watch] = await bot.store.listUsageWatches('C123');
    expect(watch).toMatchObject({ thresholdAlert: 2, failures: 0 });
  });

  it('lets operators manage watches, lists them, and refuses viewers', async () => {
    const refused = await ask('usage watch 07700 900123', USERS.viewer);
    expect(refused).toMatch(/operator/);
    expect(await bot.store.listUsageWatches()).toHaveLength(0);

    expect(await ask('usage watch 07700 900123 101')).toContain('is not a threshold');
    expect(await ask(`usage watch ${F.unknownMpn}`)).toContain('ONSIM has no account');
    await ask('usage watch 07700 900123 75');
    const list = await ask('usage watching', USERS.viewer);
    expect(list).toContain('*+44 7700 900123* · alert at 75%');

    expect(await ask('usage unwatch 07700 900123')).toContain('Stopped watching');
    expect(await ask('usage unwatch 07700 900123')).toContain('was not watching');
    expect(
      (await bot.store.listAudit({ target: MPN, limit: 5 })).map((e) => `${e.operation} ${e.event}`),
    ).toEqual(['usage unwatch succeeded', 'usage watch succeeded', 'usage watch refused']);
  });

  it('keeps the watch but warns that alerts cannot arrive when the bot cannot post in the channel', async () => {
    bot.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    const answer = await ask('usage watch 07700 900123');
    expect(answer).toContain('Watching *+44 7700 900123* at 80%');
    expect(answer).toContain('alerts cannot arrive here yet');
    expect(await bot.store.listUsageWatches('C123')).toHaveLength(1);

    const again = await ask('usage unwatch 07700 900123');
    expect(again).toContain('Stopped watching');
    expect(again).not.toContain('alerts cannot arrive here yet');
  });

  it('"Change bundle" on an alert opens the bundle form', async () => {
    const clicked = await bot.driver.blockAction({
      actionId: ACTION_ACCOUNT_BUNDLE,
      value: MPN,
      user: USERS.operator,
      message: { ts: '1.2' },
    });
    expect(clicked.status).toBe(200);
    const opened = await waitFor(() => bot.slack.callsTo('views.open')[0], { what: 'the bundle form' });
    await waitFor(() => bot.slack.callsTo('views.update')[0], { what: 'the bundle form filled' });
    expect(JSON.stringify(opened.args.view)).toMatch(/bundle/i);
  });
});
