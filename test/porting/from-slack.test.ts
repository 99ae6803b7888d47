// The pieces together: a channel subscribes through /onsim, the watcher (as src/index.ts runs it)
// polls the same store and ONSIM, and the alert lands in that channel only.
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createPortWatcher, type PortWatcher } from '../../src/porting/index.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { waitFor } from '../support/wait.js';

let bot: TestBot;
let watcher: PortWatcher;
beforeEach(async () => {
  bot = await startTestBot();
  watcher = createPortWatcher({
    store: bot.store,
    onsim: bot.deps.onsim,
    slack: new WebClient('xoxb-test', {
      slackApiUrl: bot.slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    }),
    logger: bot.deps.logger,
    pollSeconds: 60,
    instanceId: 'test-instance',
    channelPaceMs: 0,
  });
});
afterEach(async () => {
  await watcher.stop();
  await bot.close();
});

it('alerts the channel that ran "/onsim ports watch FAILED" when a port fails, and no other channel', async () => {
  const watch = await bot.driver.command('ports watch FAILED', { user: USERS.operator, channel: 'CPORTS' });
  await waitFor(() => bot.slack.responsesTo(watch.responseUrl)[0], { what: 'the watch reply' });
  const other = await bot.driver.command('ports watch', { user: USERS.operator, channel: 'COTHER' });
  await waitFor(() => bot.slack.responsesTo(other.responseUrl)[0], { what: 'the other watch reply' });
  const unwatch = await bot.driver.command('ports unwatch', { user: USERS.operator, channel: 'COTHER' });
  await waitFor(() => bot.slack.responsesTo(unwatch.responseUrl)[0], { what: 'the unwatch reply' });
  expect((await bot.store.listWatches()).map((w) => w.channelId)).toEqual(['CPORTS']);

  expect((await watcher.pollOnce()).status).toBe('baseline');
  const port = bot.sandbox.addPort();
  bot.sandbox.setPortStatus(port.trID, 'FAILED');
  bot.slack.reset();
  expect(await watcher.pollOnce()).toMatchObject({ status: 'polled', events: 1 });
  await watcher.deliverOnce();

  const posts = bot.slack.callsTo('chat.postMessage');
  expect(posts.map((p) => p.args.channel)).toEqual(['CPORTS']);
  expect(JSON.stringify(posts[0]?.args.blocks)).toContain('FAILED');
  expect(JSON.stringify(posts[0]?.args.blocks)).not.toContain(String(port.PAC));
  // Nothing more on the next poll: each change is alerted once.
  await watcher.pollOnce();
  await watcher.deliverOnce();
  expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(1);
});
