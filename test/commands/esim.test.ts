import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/onsim/identifiers.js';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_ESIM_QR, ACTION_ESIM_REFRESH, ACTION_ESIM_SHOW_CODE } from '../../src/views/action-ids.js';
import { SHOW_CODE_OPERATION } from '../../src/views/esim.js';
import { ACTION_SHARE } from '../../src/views/rerun.js';
import { buttonsIn } from '../support/blocks.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
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
  return { answer, shown: JSON.stringify(answer.body.blocks ?? []) };
}

/** The activation code the sandbox holds for an ICCID: what must never reach a channel or a log. */
function codeOf(iccid: string): string {
  const code = bot.sandbox.state.sims.get(iccid)?.esim?.code;
  if (!code) throw new Error(`no eSIM code for ${iccid}`);
  return code;
}

/** Everything the bot sent to Slack, and every log line: where a secret must not appear. */
function everythingSent(): string {
  return JSON.stringify([bot.slack.calls.map((c) => c.args), bot.slack.responses.map((r) => r.body)]);
}

const esimRequests = () => bot.sandbox.requestsTo('POST', '/account/esim').map((r) => r.body);

describe('/onsim esim', () => {
  it('shows an installed eSIM looked up by MPN, without its activation code', async () => {
    const { answer, shown } = await ask('esim 07700 900123');
    expect(esimRequests()).toEqual([{ mpn: F.installedEsimMpn, refresh_code: 0 }]);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(shown).toContain('📲 eSIM of +44 7700 900123');
    expect(shown).toContain('*Status*\\n✅ Installed');
    expect(shown).toContain('*Enabled on device*\\n✅ Yes');
    expect(shown).toContain('🔒 hidden');
    expect(everythingSent()).not.toContain(codeOf(F.installedEsimIccid));
    expect(bot.logs.join('\n')).not.toContain(codeOf(F.installedEsimIccid));
  });

  it('reads a printed 20-digit ICCID with spaces and asks ONSIM with the 19 digits', async () => {
    const printed = `${F.readyEsimIccid}${luhnCheckDigit(F.readyEsimIccid)}`.replace(/(\d{4})(?=\d)/g, '$1 ');
    const { shown } = await ask(`esim ${printed}`);
    expect(esimRequests()).toEqual([{ iccid: F.readyEsimIccid, refresh_code: 0 }]);
    expect(shown).toContain(`eSIM of ICCID ${F.readyEsimIccid}`);
    expect(shown).toContain('📦 Ready to install');
    expect(shown).toContain('*Enabled on device*\\n⛔ No');
  });

  it('reads a bare short number or acct:… as the account id (i_account)', async () => {
    await ask(`esim ${F.installedEsimAccount}`);
    await ask(`esim acct:${F.installedEsimAccount}`);
    expect(esimRequests()).toEqual([
      { i_account: F.installedEsimAccount, refresh_code: 0 },
      { i_account: F.installedEsimAccount, refresh_code: 0 },
    ]);
  });

  it('offers Refresh code to operators only while the eSIM is not installed, and viewers only Share', async () => {
    const ready = await ask(`esim ${F.readyEsimMpn}`, USERS.operator);
    expect(buttonsIn(ready.answer.body)).toEqual([
      expect.objectContaining({ action_id: ACTION_ESIM_SHOW_CODE, value: `mpn:${F.readyEsimMpn}` }),
      expect.objectContaining({ action_id: ACTION_ESIM_QR, value: `mpn:${F.readyEsimMpn}` }),
      expect.objectContaining({ action_id: ACTION_ESIM_REFRESH, value: `mpn:${F.readyEsimMpn}` }),
      expect.objectContaining({ action_id: ACTION_SHARE }),
    ]);
    const installed = await ask(`esim ${F.installedEsimMpn}`, USERS.operator);
    expect(buttonsIn(installed.answer.body).map((b) => b.action_id)).toEqual([
      ACTION_ESIM_SHOW_CODE,
      ACTION_ESIM_QR,
      ACTION_SHARE,
    ]);
    const viewer = await ask(`esim ${F.readyEsimMpn}`, USERS.viewer);
    expect(buttonsIn(viewer.answer.body).map((b) => b.action_id)).toEqual([ACTION_SHARE]);
  });

  it('explains a mistyped ICCID or an activation code and asks ONSIM nothing', async () => {
    const badCheck = await ask('esim 8944 1234 5678 9012 3455');
    expect(badCheck.shown).toContain('check digit');
    expect(badCheck.shown).toContain('e.g. 8944 1234 5678 9012 3454');

    const code = await ask('esim LPA:1$smdp.example.com$SECRET123');
    expect(code.shown).toContain('looks like an eSIM activation code');
    expect(code.shown).not.toContain('SECRET123');

    const none = await ask('esim');
    expect(none.shown).toContain('Which eSIM?');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('says there is no account when ONSIM knows no such number', async () => {
    const { shown } = await ask(`esim ${F.unknownMpn}`);
    expect(esimRequests()).toEqual([{ mpn: F.unknownMpn, refresh_code: 0 }]);
    expect(shown).toContain('ONSIM has no account for +44 7700 900999');
  });

  it('passes on ONSIM refusing a physical SIM', async () => {
    const { shown } = await ask(`esim ${F.psimMpn}`);
    expect(shown).toContain('ONSIM refused to look up the eSIM of +44 7700 900125');
    expect(shown).toContain('physical SIM');
  });

  it('tells the user when ONSIM answers 500', async () => {
    bot.sandbox.setFault({ status: 500 });
    const { shown } = await ask('esim 07700 900123');
    expect(shown).toContain('ONSIM had an internal problem (500');
  });
});

describe('Show activation code', () => {
  it('reveals the code to the operator who clicked, privately, and audits it without the code', async () => {
    const code = codeOf(F.readyEsimIccid);
    const click = await bot.driver.blockAction({
      actionId: ACTION_ESIM_SHOW_CODE,
      value: `mpn:${F.readyEsimMpn}`,
      user: USERS.operator,
    });
    expect(click.status).toBe(200);
    const reveal = await waitFor(() => bot.slack.responsesTo(click.responseUrl ?? '')[0], {
      what: 'the revealed code',
    });
    expect(reveal.body.response_type).toBe('ephemeral');
    expect(reveal.body.replace_original).toBe(false);
    expect(JSON.stringify(reveal.body.blocks)).toContain(code);
    expect(esimRequests()).toEqual([{ mpn: F.readyEsimMpn, refresh_code: 0 }]);

    // Nowhere else: not posted, not in the fallback text, not logged.
    expect(String(reveal.body.text)).not.toContain(code);
    expect(bot.slack.calls.some((c) => JSON.stringify(c.args).includes(code))).toBe(false);
    expect(bot.logs.join('\n')).not.toContain(code);

    const entries = await waitFor(
      async () => {
        const list = await bot.store.listAudit({ limit: 10 });
        return list.length > 0 && list;
      },
      { what: 'the audit entry' },
    );
    expect(entries).toEqual([
      expect.objectContaining({
        userId: USERS.operator,
        operation: SHOW_CODE_OPERATION,
        target: F.readyEsimMpn,
        event: 'succeeded',
      }),
    ]);
    expect(JSON.stringify(entries)).not.toContain(code);
  });

  it('refuses a viewer, asks ONSIM nothing, and records the refusal', async () => {
    const click = await bot.driver.blockAction({
      actionId: ACTION_ESIM_SHOW_CODE,
      value: `mpn:${F.readyEsimMpn}`,
      user: USERS.viewer,
    });
    const answer = await waitFor(() => bot.slack.responsesTo(click.responseUrl ?? '')[0], {
      what: 'the refusal',
    });
    expect(answer.body.response_type).toBe('ephemeral');
    expect(String(answer.body.text)).toContain('needs the operator role');
    expect(bot.sandbox.requests).toHaveLength(0);
    expect(everythingSent()).not.toContain(codeOf(F.readyEsimIccid));
    expect(await bot.store.listAudit({ limit: 10 })).toEqual([
      expect.objectContaining({ userId: USERS.viewer, operation: SHOW_CODE_OPERATION, event: 'refused' }),
    ]);
  });

  it('shares the eSIM card in the channel without the code', async () => {
    const { answer } = await ask(`esim ${F.readyEsimMpn}`, USERS.operator);
    const share = buttonsIn(answer.body).find((b) => b.action_id === ACTION_SHARE);
    const click = await bot.driver.blockAction({
      actionId: ACTION_SHARE,
      value: share?.value,
      user: USERS.operator,
    });
    const shared = await waitFor(() => bot.slack.responsesTo(click.responseUrl ?? '')[0], {
      what: 'the shared card',
    });
    expect(shared.body.response_type).toBe('in_channel');
    expect(JSON.stringify(shared.body.blocks)).toContain(`Shared by <@${USERS.operator}>`);
    expect(everythingSent()).not.toContain(codeOf(F.readyEsimIccid));
  });
});
