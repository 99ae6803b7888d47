import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_ACCOUNT_RECORDING } from '../../src/views/action-ids.js';
import {
  FIELD_REASON,
  FIELD_SMS,
  FIELD_VOICE,
  RECORDING_CHOOSE_CALLBACK_ID,
  RECORDING_OFF_CALLBACK_ID,
} from '../../src/views/recording.js';
import { textOf } from '../support/blocks.js';
import { startTestBot, type TestBot, type TestBotOptions, USERS } from '../support/bot.js';
import type { StoredView } from '../support/fake-slack.js';
import { STORE_ENGINES } from '../support/postgres.js';
import { fieldValues } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

/** The initial_option of the select in block `field`. */
function initial(view: StoredView | undefined, field: string): string | undefined {
  const blocks = (view?.blocks ?? []) as {
    block_id?: string;
    element?: { initial_option?: { value: string } };
  }[];
  return blocks.find((b) => b.block_id === field)?.element?.initial_option?.value;
}

const RECORDED_MPN = F.recordedMpn; // voice and SMS recording on
const RECORDED_NATIONAL = '07700 900126';

describe.each(STORE_ENGINES)('recording (%s)', (_engine, databaseUrl) => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });
  async function start(opts: TestBotOptions = {}): Promise<TestBot> {
    bot = await startTestBot({ databaseUrl: await databaseUrl(), ...opts });
    return bot;
  }

  const writes = () => bot.sandbox.requestsTo('POST', `/account/${RECORDED_MPN}/recording`);

  async function reply(text: string, user: string) {
    const sent = await bot.driver.command(text, { user });
    return waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], { what: `the answer to ${text}` });
  }

  async function offForm(): Promise<StoredView> {
    await bot.driver.command(`recording ${RECORDED_NATIONAL} voice off sms on`, { user: USERS.admin });
    return waitFor(() => bot.slack.currentView(RECORDING_OFF_CALLBACK_ID), { what: 'the switch-off form' });
  }

  function submitOff(
    view: { id: string; private_metadata?: unknown },
    reason: string | undefined,
    user: string = USERS.admin,
  ) {
    return bot.driver.viewSubmission({
      user,
      view: {
        id: view.id,
        callback_id: RECORDING_OFF_CALLBACK_ID,
        private_metadata: String(view.private_metadata),
        values: fieldValues({ [FIELD_REASON]: reason }),
      },
    });
  }

  function finalText(viewId: string): Promise<string> {
    return waitFor(
      () => {
        const text = textOf(bot.slack.currentView(viewId)?.blocks);
        return text.includes('🎙️') || text.includes('⚠️') || text.includes('❓') ? text : null;
      },
      { what: 'the outcome in the modal' },
    );
  }

  it('switches recording on at once for an operator, with both values, audited and recorded in the channel', async () => {
    await start();
    const answer = await reply(`recording ${RECORDED_NATIONAL} voice on sms on`, USERS.operator);

    expect(String(answer.body.text)).toContain('voice ON, sms ON');
    expect(writes().map((r) => r.body)).toEqual([{ voice_recording: 'ON', sms_recording: 'ON' }]);
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
    const record = await waitFor(() => bot.slack.messages().find((m) => m.via === 'postMessage'), {
      what: 'the channel record',
    });
    expect(textOf(record.blocks)).toContain(
      `🎙️ Recording of +44 7700 900126 set to voice ON, sms ON by <@${USERS.operator}>`,
    );
    const [entry] = await bot.store.listAudit({ target: RECORDED_MPN, limit: 1 });
    expect(entry).toMatchObject({ operation: 'recording on', event: 'succeeded', userId: USERS.operator });
  });

  it('does not call ONSIM for recording off until the admin confirms with a reason', async () => {
    await start();
    const view = await offForm();

    const text = textOf(view.blocks);
    expect(text.indexOf('stops all capture at once')).toBeLessThan(text.indexOf('will be set to'));
    expect(text).toContain('never be recovered');
    expect(view.submit).toMatchObject({ text: 'Switch recording off' });
    expect(writes()).toHaveLength(0);

    const noReason = await submitOff(view, undefined);
    expect(noReason.json).toMatchObject({
      response_action: 'errors',
      errors: { [FIELD_REASON]: expect.any(String) },
    });
    expect(writes()).toHaveLength(0);

    const res = await submitOff(view, 'Customer left the regulated business');
    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(await finalText(view.id)).toContain('voice OFF, sms ON');
    expect(writes().map((r) => r.body)).toEqual([{ voice_recording: 'OFF', sms_recording: 'ON' }]);

    const record = await waitFor(() => bot.slack.messages().find((m) => m.via === 'postMessage'), {
      what: 'the channel record',
    });
    expect(textOf(record.blocks)).toContain(
      `🎙️ Recording of +44 7700 900126 set to voice OFF, sms ON by <@${USERS.admin}> — reason: Customer left the regulated business`,
    );
    const trail = await bot.store.listAudit({ target: RECORDED_MPN, limit: 5 });
    expect(trail.map((e) => e.event)).toEqual(['succeeded', 'confirmed', 'requested']);
    expect(trail[0]?.detail).toContain('reason: Customer left the regulated business');
    expect(trail[1]?.detail).toContain('Customer left the regulated business');
  });

  it('refuses an operator who asks to switch recording off, and says operators may switch it on', async () => {
    await start();
    const answer = await reply(`recording ${RECORDED_NATIONAL} voice on sms off`, USERS.operator);

    expect(textOf(answer.body.blocks)).toContain('needs the *admin* role');
    expect(textOf(answer.body.blocks)).toContain('may switch recording *on*');
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
    expect(writes()).toHaveLength(0);
    const [entry] = await bot.store.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ operation: 'recording off', event: 'refused', userId: USERS.operator });
  });

  it('checks the admin role again when the switch-off form is submitted', async () => {
    await start();
    const view = await offForm();
    const res = await submitOff(view, 'because', USERS.operator);

    expect(textOf(res.json)).toContain('needs the *admin* role');
    expect(writes()).toHaveLength(0);
  });

  it('switches off once even when the form is submitted twice at the same moment', async () => {
    await start();
    const view = await offForm();
    await Promise.all([submitOff(view, 'duplicate click'), submitOff(view, 'duplicate click')]);
    await finalText(view.id);

    expect(writes()).toHaveLength(1);
  });

  it('lets a switch-off confirmation expire after 10 minutes', async () => {
    let skew = 0;
    await start({ now: () => Date.now() + skew });
    const view = await offForm();
    skew = 11 * 60_000;

    const res = await submitOff(view, 'too late');
    expect(textOf(res.json)).toContain('expired');
    expect(writes()).toHaveLength(0);
  });

  it('opens a small form, prefilled from the account, when the command names one value', async () => {
    await start();
    await bot.driver.command(`recording ${RECORDED_NATIONAL} voice on`, { user: USERS.operator });
    const view = await waitFor(
      () => {
        const v = bot.slack.currentView(RECORDING_CHOOSE_CALLBACK_ID);
        return initial(v, FIELD_SMS) ? v : null;
      },
      { what: 'the prefilled recording form' },
    );
    expect(initial(view, FIELD_VOICE)).toBe('ON');
    expect(initial(view, FIELD_SMS)).toBe('ON');

    const res = await bot.driver.viewSubmission({
      user: USERS.operator,
      view: {
        id: view.id,
        callback_id: RECORDING_CHOOSE_CALLBACK_ID,
        values: { ...fieldValues({ [FIELD_VOICE]: 'ON', [FIELD_SMS]: 'ON' }, 'static_select') },
      },
    });
    expect(res.json).toMatchObject({ response_action: 'update' });
    await finalText(view.id);
    expect(writes().map((r) => r.body)).toEqual([{ voice_recording: 'ON', sms_recording: 'ON' }]);
  });

  it('from the small form, refuses an operator choosing off and takes an admin to the confirmation', async () => {
    await start();
    await bot.driver.blockAction({
      user: USERS.operator,
      actionId: ACTION_ACCOUNT_RECORDING,
      value: RECORDED_MPN,
    });
    const view = await waitFor(
      () => {
        const v = bot.slack.currentView(RECORDING_CHOOSE_CALLBACK_ID);
        return initial(v, FIELD_VOICE) ? v : null;
      },
      { what: 'the recording form from the account card' },
    );
    const values = fieldValues({ [FIELD_VOICE]: 'ON', [FIELD_SMS]: 'OFF' }, 'static_select');

    const refused = await bot.driver.viewSubmission({
      user: USERS.operator,
      view: { id: view.id, callback_id: RECORDING_CHOOSE_CALLBACK_ID, values },
    });
    expect(textOf(refused.json)).toContain('needs the *admin* role');

    const next = await bot.driver.viewSubmission({
      user: USERS.admin,
      view: { id: view.id, callback_id: RECORDING_CHOOSE_CALLBACK_ID, values },
    });
    const confirmView = (next.json as { view: { callback_id: string; private_metadata: string } }).view;
    expect(confirmView.callback_id).toBe(RECORDING_OFF_CALLBACK_ID);
    expect(writes()).toHaveLength(0);

    await submitOff(
      { id: view.id, private_metadata: confirmView.private_metadata },
      'Moved to a non-regulated role',
    );
    await finalText(view.id);
    expect(writes().map((r) => r.body)).toEqual([{ voice_recording: 'ON', sms_recording: 'OFF' }]);
  });

  it('explains the command when a value is not on or off', async () => {
    await start();
    const answer = await reply(`recording ${RECORDED_NATIONAL} voice maybe`, USERS.operator);

    expect(textOf(answer.body.blocks)).toContain('`on` or `off`');
    expect(textOf(answer.body.blocks)).toContain('/onsim recording 07700 900123 voice on sms off');
    expect(writes()).toHaveLength(0);
  });
});

describe('recording when ONSIM is slow', () => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  it('answers in the small form only, with no “working” note left behind in the channel', async () => {
    bot = await startTestBot({ onsimTimeoutMs: 10_000 });
    // Longer than the router waits before it says it is still working.
    bot.sandbox.setLatency(2_000);
    const sent = await bot.driver.command(`recording ${RECORDED_NATIONAL} voice on`, {
      user: USERS.operator,
    });
    await waitFor(() => initial(bot.slack.currentView(RECORDING_CHOOSE_CALLBACK_ID), FIELD_SMS), {
      what: 'the prefilled recording form',
      timeoutMs: 10_000,
    });
    expect(bot.slack.responsesTo(sent.responseUrl)).toEqual([]);
  });
});
