import { afterEach, describe, expect, it } from 'vitest';
import { postRecord } from '../../src/slack/record.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';

describe('postRecord', () => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  it('posts the record in the channel, and reports (not throws) when Slack refuses', async () => {
    bot = await startTestBot();
    expect(await postRecord(bot.deps, bot.app.client, 'C123', '✅ done by <@U1>')).toMatchObject({
      channelId: 'C123',
    });
    expect(bot.slack.messages().filter((m) => m.via === 'postMessage')).toEqual([
      expect.objectContaining({ channel: 'C123', text: '✅ done by <@U1>' }),
    ]);

    bot.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    expect(await postRecord(bot.deps, bot.app.client, 'C123', '✅ done')).toBeNull();
    expect(await postRecord(bot.deps, bot.app.client, null, '✅ done')).toBeNull();
  });

  it('with a DM fallback, posts a refused record in the user’s DM and says why, the code as code', async () => {
    bot = await startTestBot();
    bot.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    const posted = await postRecord(bot.deps, bot.app.client, 'C123', '✅ done', {
      dmFallback: USERS.operator,
    });
    expect(posted?.channelId).toBe(`D${USERS.operator}`);
    const inDm = bot.slack.messages().find((m) => m.channel === `D${USERS.operator}`);
    expect(JSON.stringify(inDm?.blocks)).toContain('could not post in <#C123> — `not_in_channel`');
  });
});
