import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import {
  ACTION_ACCOUNT_BUNDLE,
  ACTION_ACCOUNT_CEASE,
  ACTION_ACCOUNT_QR,
  ACTION_ACCOUNT_RECORDING,
  ACTION_ACCOUNT_SETTINGS,
} from '../../src/views/action-ids.js';
import { ACTION_SHARE, rerunValue } from '../../src/views/rerun.js';
import { buttonsIn } from '../support/blocks.js';
import { startTestBot, type TestBot, USERS, WORKING_NOTE } from '../support/bot.js';
import { waitFor } from '../support/wait.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => {
  await bot.close();
});

async function ask(text: string, user: string = USERS.viewer) {
  const sent = await bot.driver.command(text, { user });
  expect(sent.status).toBe(200);
  const answer = await bot.answerAt(sent.responseUrl);
  return { sent, answer, shown: JSON.stringify(answer.body.blocks ?? []), text: String(answer.body.text) };
}

describe('/onsim account', () => {
  it('answers a national number with the account card, privately, after asking ONSIM for the E.164 MPN', async () => {
    const { answer, shown, text } = await ask('account 07700 900123');

    expect(bot.sandbox.requestsTo('GET', '/account/')).toHaveLength(1);
    expect(bot.sandbox.requestsTo('GET', `/account/${F.installedEsimMpn}`)).toHaveLength(1);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(shown).toContain('📱 +44 7700 900123 · Olivia Bennett');
    expect(shown).toContain(`\`${F.installedEsimIccid}\``);
    expect(shown).toContain(`\`${F.installedEsimAccount}\``);
    expect(shown).toContain(`ONSIM${F.installedEsimIccid}@sip.onsim.example`);
    expect(shown).toContain('*Voice*\\n✅ On');
    expect(shown).toContain('*Hotspot*\\n⛔ Off');
    expect(shown).toContain('*Recording*\\nVoice ⛔ Off · SMS ⛔ Off');
    expect(shown).toContain('*Data bundle:* 10GB');
    expect(shown).toContain('▰▰▰▰▰▰▰▰▰▱ 93%');
    expect(shown).toContain('9.4 GB used of 10 GB · *628 MB left*');
    expect(shown).toContain('nearly used up');
    expect(shown).toContain('Period 1 Nov – 1 Dec 2026');
    expect(text).toContain('Account +44 7700 900123 (Olivia Bennett)');
  });

  it.each([
    '+44 7700 900123',
    '+447700900123',
    '447700900123',
    '0044 7700 900123',
    '07700-900-123',
    '+44 (0)7700 900123',
  ])('reads %s as the same MPN', async (typed) => {
    const { shown } = await ask(`account ${typed}`);
    expect(bot.sandbox.requestsTo('GET', '/account/').map((r) => r.path)).toEqual([
      `/account/${F.installedEsimMpn}`,
    ]);
    expect(shown).toContain('Olivia Bennett');
  });

  it('shows the data bundle of a line without data as calls and SMS only', async () => {
    const { shown } = await ask(`account ${F.psimMpn}`);
    expect(shown).toContain('*Data*\\n⛔ Off');
    expect(shown).toContain('No data allowance: calls and SMS only');
  });

  it('offers viewers only Share, operators the change buttons, and admins Cease too', async () => {
    const viewer = await ask('account 07700 900123', USERS.viewer);
    expect(buttonsIn(viewer.answer.body)).toEqual([
      expect.objectContaining({ action_id: ACTION_SHARE, value: rerunValue('account 07700 900123') }),
    ]);

    const operator = await ask('account 07700 900123', USERS.operator);
    expect(buttonsIn(operator.answer.body).map((b) => b.action_id)).toEqual([
      ACTION_ACCOUNT_QR,
      ACTION_ACCOUNT_BUNDLE,
      ACTION_ACCOUNT_SETTINGS,
      ACTION_ACCOUNT_RECORDING,
      ACTION_SHARE,
    ]);
    expect(buttonsIn(operator.answer.body).find((b) => b.action_id === ACTION_ACCOUNT_QR)?.value).toBe(
      F.installedEsimMpn,
    );

    const admin = await ask('account 07700 900123', USERS.admin);
    expect(buttonsIn(admin.answer.body).find((b) => b.action_id === ACTION_ACCOUNT_CEASE)).toMatchObject({
      style: 'danger',
      value: F.installedEsimMpn,
    });
  });

  it('explains a malformed number with an example and asks ONSIM nothing', async () => {
    const short = await ask('account 077');
    expect(short.shown).toContain('too short');
    expect(short.shown).toContain('e.g. +44 7700 900123');

    const long = await ask('account 07700 900123 4');
    expect(long.shown).toContain('too long');

    const letter = await ask('account 0770O 900123');
    expect(letter.shown).toContain('letter “O”');

    const none = await ask('account');
    expect(none.shown).toContain('Which number?');
    expect(none.shown).toContain('/onsim account &lt;mpn&gt;');

    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('recognises an ICCID, an account id or an activation code by its shape, says what it looks like and asks ONSIM nothing', async () => {
    const iccid = await ask(`account ${F.psimIccid}`);
    expect(iccid.shown).toContain('looks like an ICCID (SIM number)');
    expect(iccid.shown).toContain(`\`/onsim esim ${F.psimIccid}\``);

    const account = await ask(`account acct:${F.installedEsimAccount}`);
    expect(account.shown).toContain('looks like an account id');
    expect(account.shown).toContain(`\`/onsim esim ${F.installedEsimAccount}\``);

    const code = await ask('account LPA:1$smdp.example.com$SECRETMATCHINGID');
    expect(code.shown).toContain('looks like an eSIM activation code');
    expect(code.shown).not.toContain('SECRETMATCHINGID');
    expect(code.shown).not.toContain('/onsim esim');

    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('escapes what the user typed when it echoes it back', async () => {
    const { shown, text } = await ask('account 0770 <!here>');
    expect(shown).not.toContain('<!here>');
    expect(text).not.toContain('<!here>');
    expect(shown).toContain('&lt;!here&gt;');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('says there is no account when ONSIM does not know the number', async () => {
    const { shown } = await ask(`account ${F.unknownMpn}`);
    expect(bot.sandbox.requestsTo('GET', `/account/${F.unknownMpn}`)).toHaveLength(1);
    expect(shown).toContain('ONSIM has no account for +44 7700 900999');
  });

  it('tells the user ONSIM had a problem when it answers 500', async () => {
    bot.sandbox.setFault({ status: 500 });
    const { shown } = await ask('account 07700 900123');
    expect(shown).toContain('ONSIM had an internal problem (500');
    expect(shown).toContain('look up the account of +44 7700 900123');
  });

  it('shows the working note, then says ONSIM did not answer in time when it hangs', async () => {
    bot.sandbox.setFault({ hang: true });
    const sent = await bot.driver.command('account 07700 900123');
    expect(sent.status).toBe(200);
    await waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], { what: 'the working note' });
    expect(String(bot.slack.responsesTo(sent.responseUrl)[0]?.body.text)).toContain(WORKING_NOTE);

    const answer = await bot.answerAt(sent.responseUrl, 10_000);
    expect(String(answer.body.text)).toContain('ONSIM did not answer in time');
    expect(answer.body.replace_original).toBe(true);
  });

  it('shares the card in the channel with who shared it, when Share is clicked', async () => {
    const { answer } = await ask('account 07700 900123');
    const share = buttonsIn(answer.body).find((b) => b.action_id === ACTION_SHARE);
    expect(share?.value).toBeDefined();

    const click = await bot.driver.blockAction({
      actionId: ACTION_SHARE,
      value: share?.value,
      user: USERS.viewer,
    });
    expect(click.status).toBe(200);
    const shared = await waitFor(() => bot.slack.responsesTo(click.responseUrl ?? '')[0], {
      what: 'the shared card',
    });
    expect(shared.body.response_type).toBe('in_channel');
    expect(shared.body.replace_original).toBe(false);
    const shown = JSON.stringify(shared.body.blocks);
    expect(shown).toContain('Olivia Bennett');
    expect(shown).toContain(`Shared by <@${USERS.viewer}>`);
    // Shared cards are fresh: the look-up ran again.
    expect(bot.sandbox.requestsTo('GET', `/account/${F.installedEsimMpn}`)).toHaveLength(2);
  });

  it("shows no one's write buttons on a card an admin shares with the channel", async () => {
    const { answer } = await ask('account 07700 900123', USERS.admin);
    expect(buttonsIn(answer.body).map((b) => b.action_id)).toContain(ACTION_ACCOUNT_CEASE);
    const share = buttonsIn(answer.body).find((b) => b.action_id === ACTION_SHARE);
    const click = await bot.driver.blockAction({
      actionId: ACTION_SHARE,
      value: share?.value,
      user: USERS.admin,
    });
    const shared = await waitFor(() => bot.slack.responsesTo(click.responseUrl ?? '')[0], {
      what: 'the shared card',
    });
    expect(shared.body.response_type).toBe('in_channel');
    expect(buttonsIn(shared.body).map((b) => b.action_id)).toEqual([ACTION_SHARE]);
  });
});
