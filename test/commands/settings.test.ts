import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_ACCOUNT_SETTINGS } from '../../src/views/action-ids.js';
import { SETTINGS_CALLBACK_ID } from '../../src/views/settings.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { StoredView } from '../support/fake-slack.js';
import { waitFor } from '../support/wait.js';

const MPN = F.installedEsimMpn;
const SHOWN = '+44 7700 900123';
const PASSWORD = 'Tr0ub4dor-and-3';

let bot: TestBot;
afterEach(async () => {
  await bot.close();
});

type Block = {
  type: string;
  block_id?: string;
  element?: {
    type: string;
    action_id: string;
    initial_value?: string;
    initial_option?: { value: string };
    options?: { text: unknown; value: string }[];
  };
};

const inputs = (view: StoredView | undefined): Block[] =>
  ((view?.blocks ?? []) as Block[]).filter((b) => b.type === 'input');

/**
 * `view.state.values` as Slack sends them for the form as it was shown, with `edits` applied:
 * a string for a text input (empty = cleared), 'ON'/'OFF' for a service's radio buttons.
 */
function formValues(view: StoredView | undefined, edits: Record<string, string> = {}) {
  const values: Record<string, Record<string, unknown>> = {};
  for (const b of inputs(view)) {
    const el = b.element;
    if (!b.block_id || !el) continue;
    const edit = edits[b.block_id];
    if (el.type === 'radio_buttons') {
      const chosen = edit ?? el.initial_option?.value;
      const option = el.options?.find((o) => o.value === chosen);
      values[b.block_id] = { [el.action_id]: { type: el.type, selected_option: option ?? null } };
    } else {
      const value = edit ?? el.initial_value ?? '';
      values[b.block_id] = { [el.action_id]: { type: el.type, value: value === '' ? null : value } };
    }
  }
  return values;
}

/** Clicks the card's "Settings" button and waits for the form to be filled from the account. */
async function openForm(user: string = USERS.operator): Promise<StoredView | undefined> {
  await bot.driver.blockAction({
    actionId: ACTION_ACCOUNT_SETTINGS,
    value: MPN,
    user,
    message: { ts: '1.1' },
  });
  await waitFor(() => bot.slack.callsTo('views.update').length > 0, {
    what: 'the settings form to be filled',
  });
  return bot.slack.currentView(SETTINGS_CALLBACK_ID);
}

async function submit(
  view: StoredView | undefined,
  edits: Record<string, string>,
  user: string = USERS.operator,
) {
  const res = await bot.driver.viewSubmission({
    user,
    view: { callback_id: SETTINGS_CALLBACK_ID, values: formValues(view, edits) },
  });
  expect(res.status).toBe(200);
  return res;
}

const settingsWrites = () => bot.sandbox.requestsTo('POST', '/account/pbxinfo/');
const records = () => bot.slack.messages().filter((m) => m.via === 'postMessage');
const subscriber = (mpn: string) => [...bot.sandbox.state.subscribers.values()].find((s) => s.mpn === mpn);

/** Everything people in the channel could see, every modal, and every log line. */
function everythingShownOrLogged(): string {
  return JSON.stringify([
    bot.slack.messages(),
    bot.slack.callsTo('views.open'),
    bot.slack.callsTo('views.update'),
    bot.logs,
  ]);
}

describe('the "Settings" button and form', () => {
  beforeEach(async () => {
    bot = await startTestBot();
  });

  it('opens the form prefilled from the account: names, email and each service on or off', async () => {
    const view = await openForm();

    expect(bot.sandbox.requests.map((r) => [r.method, r.path])).toEqual([['GET', `/account/${MPN}`]]);
    const shown = Object.fromEntries(
      inputs(view).map((b) => [
        b.block_id,
        b.element?.initial_value ?? b.element?.initial_option?.value ?? null,
      ]),
    );
    expect(shown).toEqual({
      first_name: 'Olivia',
      last_name: 'Bennett',
      email: 'olivia.bennett@acmelogistics.example',
      mobile_data: 'ON',
      mobile_voice: 'ON',
      mobile_sms: 'ON',
      mobile_hotspot: 'OFF',
      mpn: null,
      pbx_user: null,
      pbx_password: null,
    });
    expect(JSON.parse(String(view?.private_metadata))).toEqual({
      mpn: MPN,
      channel: 'C123',
      prefill: {
        first_name: 'Olivia',
        last_name: 'Bennett',
        email: 'olivia.bennett@acmelogistics.example',
        mobile_data: 'ON',
        mobile_voice: 'ON',
        mobile_sms: 'ON',
        mobile_hotspot: 'OFF',
      },
    });
  });

  it('sends only the changed fields, and the channel record names the password change without showing it', async () => {
    const view = await openForm();

    const res = await submit(view, {
      email: 'o.bennett@acmelogistics.example',
      mobile_data: 'OFF',
      mobile_hotspot: 'ON',
      pbx_password: PASSWORD,
    });

    expect(res.body).toBe('');
    const record = await waitFor(() => records()[0], { what: 'the channel record' });
    expect(settingsWrites().map((r) => [r.path, r.body])).toEqual([
      [
        `/account/pbxinfo/${MPN}`,
        {
          email: 'o.bennett@acmelogistics.example',
          mobile_data: 'OFF',
          mobile_hotspot: 'ON',
          pbx_password: PASSWORD,
        },
      ],
    ]);
    expect(record.channel).toBe('C123');
    expect(record.text).toBe(
      `⚙️ Settings of ${SHOWN} changed by <@${USERS.operator}>: email changed · data ⛔ off · hotspot ✅ on · SIP password changed`,
    );
    expect(subscriber(MPN)?.pbxPassword).toBe(PASSWORD);
    const audit = await bot.store.listAudit({ target: MPN, limit: 10 });
    expect(audit.map((e) => [e.event, e.detail])).toContainEqual([
      'succeeded',
      'fields: pbx_password, email, mobile_data, mobile_hotspot',
    ]);
    expect(everythingShownOrLogged()).not.toContain(PASSWORD);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  });

  it('moves the line to a new number and changes the SIP username', async () => {
    const view = await openForm();

    await submit(view, { mpn: '07700 900201', pbx_user: 'OLIVIA01', first_name: 'Liv' });

    const record = await waitFor(() => records()[0], { what: 'the channel record' });
    expect(settingsWrites().map((r) => r.body)).toEqual([
      { first_name: 'Liv', mpn: F.reservedNumber, pbx_user: 'OLIVIA01' },
    ]);
    expect(record.text).toBe(
      `⚙️ Settings of ${SHOWN} changed by <@${USERS.operator}>: first name → Liv · number → +44 7700 900201 · SIP username → OLIVIA01`,
    );
  });

  it.each([
    ['nothing was changed', {}, 'first_name', 'Nothing to change'],
    ['a bad email', { email: 'olivia.bennett@' }, 'email', 'That is not an email address'],
    ['a bad new MPN', { mpn: '+44 7700' }, 'mpn', 'too short for a phone number'],
    ['the line’s own number as the new one', { mpn: '07700 900123' }, 'mpn', "is already this line's number"],
    ['a short SIP password', { pbx_password: 'short' }, 'pbx_password', 'at least 8 characters'],
    ['a SIP username with a space', { pbx_user: 'olivia b' }, 'pbx_user', 'no spaces'],
    ['a cleared last name', { last_name: '' }, 'last_name', 'cannot clear the last name'],
  ])('shows a field error for %s, and sends nothing', async (_case, edits, field, message) => {
    const view = await openForm();

    const res = await submit(view, edits);

    expect(res.json).toMatchObject({
      response_action: 'errors',
      errors: { [field]: expect.stringContaining(message) },
    });
    expect(settingsWrites()).toHaveLength(0);
    expect(records()).toHaveLength(0);
  });

  it('never logs or shows a password that fails validation', async () => {
    const view = await openForm();

    const res = await submit(view, { pbx_password: 'Sh0rt!' });

    // The field error is in the ack body, which Slack shows under the field: look there too.
    expect(res.json).toMatchObject({
      response_action: 'errors',
      errors: { pbx_password: expect.any(String) },
    });
    expect(JSON.stringify(res.json)).not.toContain('Sh0rt!');
    expect(everythingShownOrLogged()).not.toContain('Sh0rt!');
  });

  it('refuses a viewer’s click without opening a form', async () => {
    const click = await bot.driver.blockAction({
      actionId: ACTION_ACCOUNT_SETTINGS,
      value: MPN,
      user: USERS.viewer,
    });

    const answer = await waitFor(() => bot.slack.responsesTo(click.responseUrl ?? '')[0], {
      what: 'the refusal',
    });
    expect(String(answer.body.text)).toContain('change settings needs the operator role');
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('checks the role again on submission: a form opened by an operator cannot be submitted by a viewer', async () => {
    const view = await openForm(USERS.operator);

    const res = await submit(view, { mobile_data: 'OFF' }, USERS.viewer);

    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(res.json)).toContain('needs the *operator* role');
    expect(settingsWrites()).toHaveLength(0);
  });

  it('tells only the submitter "outcome unknown" on ONSIM 503, sends once, and keeps the password out of sight', async () => {
    const view = await openForm();
    bot.sandbox.setFault({ status: 503, match: { method: 'POST', pathPrefix: '/account/pbxinfo/' } });

    await submit(view, { pbx_password: PASSWORD });

    const told = await waitFor(() => bot.slack.messages().find((m) => m.via === 'postEphemeral'), {
      what: 'the ephemeral answer',
    });
    expect(told.user).toBe(USERS.operator);
    expect(told.text).toContain('Outcome unknown');
    expect(told.text).not.toContain('changed:');
    expect(settingsWrites()).toHaveLength(1);
    expect(records()).toHaveLength(0);
    expect(everythingShownOrLogged()).not.toContain(PASSWORD);
  });

  it('says so in the form when ONSIM has no account for the number', async () => {
    await bot.driver.blockAction({
      actionId: ACTION_ACCOUNT_SETTINGS,
      value: F.unknownMpn,
      user: USERS.operator,
    });

    await waitFor(() => bot.slack.callsTo('views.update').length > 0, { what: 'the form to be updated' });
    expect(JSON.stringify(bot.slack.callsTo('views.update')[0]?.args.view)).toContain(
      'ONSIM has no account for',
    );
  });
});

describe('/onsim settings <mpn>', () => {
  beforeEach(async () => {
    bot = await startTestBot();
  });

  it('opens the form with the command’s trigger, and records the change in the command’s channel', async () => {
    const sent = await bot.driver.command('settings 07700 900123', {
      user: USERS.operator,
      channel: 'CSUPPORT',
    });

    await waitFor(() => bot.slack.callsTo('views.update').length > 0, { what: 'the settings form' });
    expect(bot.slack.callsTo('views.open')[0]?.args.trigger_id).toBe(sent.triggerId);
    const view = bot.slack.currentView(SETTINGS_CALLBACK_ID);
    await submit(view, { mobile_voice: 'OFF' });

    const record = await waitFor(() => records()[0], { what: 'the channel record' });
    expect(record.channel).toBe('CSUPPORT');
    expect(settingsWrites().map((r) => r.body)).toEqual([{ mobile_voice: 'OFF' }]);
  });

  it('says why when Slack will not open the form (an expired trigger), and asks ONSIM nothing', async () => {
    bot.slack.failNext('views.open', { error: 'expired_trigger_id' });
    const sent = await bot.driver.command('settings 07700 900123', { user: USERS.operator });

    const answer = await waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], { what: 'the answer' });
    expect(String(answer.body.text)).toContain('Slack would not open the settings form (expired_trigger_id)');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('refuses a bad MPN with an example, without opening a form', async () => {
    const sent = await bot.driver.command('settings 07700 9OO123', { user: USERS.operator });

    const answer = await waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], { what: 'the answer' });
    expect(String(answer.body.text)).toContain('contains the letter “O”');
    expect(String(answer.body.text)).toContain('/onsim settings +44 7700 900123');
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('refuses a viewer', async () => {
    const sent = await bot.driver.command('settings 07700 900123', { user: USERS.viewer });

    const answer = await bot.answerAt(sent.responseUrl);
    expect(String(answer.body.text)).toContain('change settings needs the operator role');
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
    expect(bot.sandbox.requests).toHaveLength(0);
  });
});

describe('when ONSIM is slow', () => {
  beforeEach(async () => {
    bot = await startTestBot({ onsimTimeoutMs: 10_000 });
  });

  it('opens the form at once when ONSIM takes 5 s, and prefills it when ONSIM answers', async () => {
    bot.sandbox.setLatency(5_000);

    const sent = await bot.driver.command('settings 07700 900123', { user: USERS.operator });

    expect(sent.status).toBe(200);
    await waitFor(() => bot.slack.callsTo('views.open').length > 0, { what: 'views.open' });
    expect(bot.slack.callsTo('views.update')).toHaveLength(0);
    expect(JSON.stringify(bot.slack.callsTo('views.open')[0]?.args.view)).toContain('Reading the settings');
    await waitFor(() => bot.slack.callsTo('views.update').length > 0, {
      what: 'views.update',
      timeoutMs: 15_000,
    });
    expect(JSON.stringify(bot.slack.currentView(SETTINGS_CALLBACK_ID)?.blocks)).toContain(
      '"initial_value":"Olivia"',
    );
  }, 20_000);
});
