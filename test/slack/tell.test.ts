import { afterEach, describe, expect, it } from 'vitest';
import { plain } from '../../src/slack/message.js';
import { tellUser } from '../../src/slack/tell.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';

describe('tellUser', () => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  it('answers ephemerally in the channel', async () => {
    bot = await startTestBot();
    await tellUser(bot.deps, bot.app.client, { userId: USERS.operator, channelId: 'C123' }, plain('✅ done'));
    expect(bot.slack.messages()).toEqual([
      expect.objectContaining({
        via: 'postEphemeral',
        channel: 'C123',
        user: USERS.operator,
        text: '✅ done',
      }),
    ]);
  });

  it('falls back to the DM when the channel refuses, and when there is no channel', async () => {
    bot = await startTestBot();
    bot.slack.failNext('chat.postEphemeral', { error: 'not_in_channel' });
    await tellUser(bot.deps, bot.app.client, { userId: USERS.operator, channelId: 'C123' }, plain('one'));
    await tellUser(bot.deps, bot.app.client, { userId: USERS.operator, channelId: null }, plain('two'));
    expect(bot.slack.messages().map((m) => [m.via, m.channel, m.text])).toEqual([
      ['postMessage', `D${USERS.operator}`, 'one'],
      ['postMessage', `D${USERS.operator}`, 'two'],
    ]);
  });

  it('keeps a secret ephemeral in the DM too, and never throws when Slack refuses everything', async () => {
    bot = await startTestBot();
    bot.slack.failNext('chat.postEphemeral', { error: 'not_in_channel' });
    const secret = plain('password: hunter2');
    await tellUser(bot.deps, bot.app.client, { userId: USERS.operator, channelId: 'C123' }, secret, {
      secret: true,
    });
    expect(bot.slack.messages().map((m) => [m.via, m.channel])).toEqual([
      ['postEphemeral', `D${USERS.operator}`],
    ]);

    bot.slack.failNext('chat.postEphemeral', { error: 'not_in_channel', times: 2 });
    await expect(
      tellUser(bot.deps, bot.app.client, { userId: USERS.operator, channelId: 'C123' }, secret, {
        secret: true,
      }),
    ).resolves.toBeUndefined();
    expect(bot.logs.some((l) => l.includes('could not tell the user'))).toBe(true);
    expect(bot.logs.some((l) => l.includes('hunter2'))).toBe(false);
  });
});
