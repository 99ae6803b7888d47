// Every echo of what someone typed is clipped: a reply Slack refuses (a section over 3,000
// characters) would leave the user looking at nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../../src/commands/index.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';

const LONG_INPUTS = {
  'one 4,000-character word': 'x'.repeat(4_000),
  '4,000 characters of words': 'ab7 '.repeat(1_000),
};

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot();
});
afterAll(async () => {
  await bot.close();
});

const names = ['', 'no-such-command', ...SUBCOMMANDS.map((c) => c.name)];

describe.each(Object.entries(LONG_INPUTS))('with %s', (_what, long) => {
  it.each(names)('`/onsim %s …` answers within Slack’s limits', async (name) => {
    const calls = bot.slack.calls.length;
    const problemsBefore = bot.blockKitProblems().length;
    const text = `${name} ${long}`.trim();
    const sent = await bot.driver.command(text, { user: USERS.admin });
    expect(sent.status).toBe(200);
    expect(await bot.drain(15_000)).toBe(true);
    const answered =
      bot.slack.responsesTo(sent.responseUrl).length > 0 ||
      bot.slack.calls
        .slice(calls)
        .some((c) => c.method === 'views.open' || c.method === 'chat.postEphemeral');
    expect(answered).toBe(true);
    expect(bot.blockKitProblems().slice(problemsBefore)).toEqual([]);
  });
});
