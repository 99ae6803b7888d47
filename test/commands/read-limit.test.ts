import { afterEach, describe, expect, it } from 'vitest';
import { LOOKUP_SHORTCUT_ID } from '../../src/commands/lookup-message.js';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import {
  ACTION_HOME_PORT_DETAILS,
  ACTION_LOOKUP_QUERY,
  BLOCK_LOOKUP_QUERY,
  HOME_LOOKUP_CALLBACK_ID,
} from '../../src/views/home.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { waitFor } from '../support/wait.js';

let bot: TestBot;
afterEach(async () => {
  await bot.close();
});

async function ask(text: string, user: string): Promise<string> {
  const sent = await bot.driver.command(text, { user });
  expect(sent.status).toBe(200);
  const answer = await bot.answerAt(sent.responseUrl);
  expect(answer.body.response_type).toBe('ephemeral');
  return String(answer.body.text);
}

describe('a per-user limit on look-ups', () => {
  it('tells a user who looks up too fast to slow down, without asking ONSIM, and lets others on', async () => {
    let clock = Date.now();
    bot = await startTestBot({ env: { USER_READS_PER_MINUTE: '2' }, now: () => clock });
    const lookup = `account ${F.installedEsimMpn}`;
    expect(await ask(lookup, USERS.viewer)).not.toContain('Slow down');
    expect(await ask(lookup, USERS.viewer)).not.toContain('Slow down');
    const asked = bot.sandbox.requests.length;
    expect(await ask(lookup, USERS.viewer)).toBe(
      "🐢 Slow down: you have made many look-ups in the last minute, and ONSIM limits the whole team's key. Try again in 30 s.",
    );
    expect(bot.sandbox.requests.length).toBe(asked);
    // Someone else is not held back by it.
    expect(await ask(lookup, USERS.operator)).not.toContain('Slow down');
    // Half a minute later one look-up's worth has come back.
    clock += 30_000;
    expect(await ask(lookup, USERS.viewer)).not.toContain('Slow down');
    expect(await ask(lookup, USERS.viewer)).toContain('Try again in 30 s');
  });

  it('limits only viewers, and only look-ups that ask ONSIM', async () => {
    bot = await startTestBot({ env: { USER_READS_PER_MINUTE: '2' }, now: () => Date.now() });
    const lookup = `account ${F.installedEsimMpn}`;
    for (const user of [USERS.operator, USERS.admin]) {
      for (let i = 0; i < 3; i++) expect(await ask(lookup, user)).not.toContain('Slow down');
    }
    for (let i = 0; i < 3; i++) expect(await ask('whoami', USERS.viewer)).not.toContain('Slow down');
    expect(await ask(lookup, USERS.viewer)).not.toContain('Slow down');
  });

  it("counts a viewer's look-ups from the message shortcut and the Home tab too, not only commands", async () => {
    bot = await startTestBot({ env: { USER_READS_PER_MINUTE: '1' }, now: () => 0 });
    expect(await ask(`account ${F.installedEsimMpn}`, USERS.viewer)).not.toContain('Slow down');
    const asked = bot.sandbox.requests.length;

    const message = { text: `Can someone check ${F.installedEsimMpn}?` };
    const shortcut = await bot.driver.messageShortcut(LOOKUP_SHORTCUT_ID, { user: USERS.viewer, message });
    const answered = await waitFor(() => bot.slack.responsesTo(shortcut.responseUrl)[0], {
      what: 'the shortcut answer',
    });
    expect(String(answered.body.text)).toContain('Slow down');

    const submitted = await bot.driver.viewSubmission({
      user: USERS.viewer,
      view: {
        id: 'VLOOKUP',
        callback_id: HOME_LOOKUP_CALLBACK_ID,
        values: {
          [BLOCK_LOOKUP_QUERY]: { [ACTION_LOOKUP_QUERY]: { type: 'plain_text_input', value: 'Bennett' } },
        },
      },
    });
    expect(submitted.status).toBe(200);
    const lookup = await waitFor(() => bot.slack.callsTo('views.update')[0], { what: 'the look-up answer' });
    expect(JSON.stringify(lookup.args.view)).toContain('Slow down');

    await bot.driver.blockAction({
      user: USERS.viewer,
      actionId: ACTION_HOME_PORT_DETAILS,
      value: F.failedPortId,
      container: { type: 'view', view_id: 'VHOME' },
    });
    const details = await waitFor(() => bot.slack.callsTo('views.update')[1], { what: 'the port details' });
    expect(JSON.stringify(details.args.view)).toContain('Slow down');
    expect(bot.sandbox.requests.length).toBe(asked);

    // An operator's shortcut is never held back.
    const theirs = await bot.driver.messageShortcut(LOOKUP_SHORTCUT_ID, { user: USERS.operator, message });
    const card = await waitFor(() => bot.slack.responsesTo(theirs.responseUrl)[0], { what: 'their answer' });
    expect(JSON.stringify(card.body.blocks)).toContain('Olivia Bennett');
  });
});
