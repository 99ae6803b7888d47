import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_ACCOUNT_BUNDLE } from '../../src/views/action-ids.js';
import { BUNDLE_CALLBACK_ID, FIELD_BUNDLE, FIELD_BUNDLE_SKU } from '../../src/views/bundle.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { SlackMessage } from '../support/fake-slack.js';
import { fieldValues, selectValue } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const MPN = F.installedEsimMpn;
const SHOWN = '+44 7700 900123';

let bot: TestBot;
afterEach(async () => {
  await bot.close();
});

async function ask(text: string, user: string = USERS.operator): Promise<string> {
  const sent = await bot.driver.command(text, { user });
  expect(sent.status).toBe(200);
  const answer = await bot.answerAt(sent.responseUrl);
  return String(answer.body.text);
}

const records = (): SlackMessage[] => bot.slack.messages().filter((m) => m.via === 'postMessage');
const bundleWrites = () =>
  bot.sandbox.requestsTo('POST', '/account/').filter((r) => r.path.includes('/bundle/'));
const bundleOf = (mpn: string) =>
  [...bot.sandbox.state.subscribers.values()].find((s) => s.mpn === mpn)?.bundle;

/** Clicks the card's "Change bundle" button and waits for the form to be filled from the catalogue. */
async function openForm(user: string = USERS.operator) {
  await bot.driver.blockAction({ actionId: ACTION_ACCOUNT_BUNDLE, value: MPN, user, message: { ts: '1.1' } });
  await waitFor(() => bot.slack.callsTo('views.update').length > 0, { what: 'the bundle form to be filled' });
  const view = bot.slack.currentView(BUNDLE_CALLBACK_ID);
  expect(view).toBeDefined();
  return view;
}

const chosen = (sku: string) => ({ [FIELD_BUNDLE]: { [FIELD_BUNDLE]: selectValue(sku) } });
const typedSku = (sku: string | undefined) => fieldValues({ [FIELD_BUNDLE_SKU]: sku });

async function submit(values: Record<string, Record<string, unknown>>, user: string = USERS.operator) {
  const res = await bot.driver.viewSubmission({ user, view: { callback_id: BUNDLE_CALLBACK_ID, values } });
  expect(res.status).toBe(200);
  return res;
}

describe('/onsim bundle <mpn> <bundle>', () => {
  beforeEach(async () => {
    bot = await startTestBot();
  });

  it('changes the bundle, records it in the channel and tells the operator', async () => {
    const text = await ask('bundle 07700 900123 unlimited');

    expect(bot.sandbox.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', `/account/${MPN}/bundle/UNLIMITED`, undefined],
    ]);
    expect(bundleOf(MPN)).toBe('UNLIMITED');
    expect(text).toContain(`The bundle of ${SHOWN} is now UNLIMITED`);
    const record = await waitFor(() => records()[0], { what: 'the channel record' });
    expect(record.channel).toBe('C123');
    expect(record.text).toBe(`📦 Bundle of ${SHOWN} changed to UNLIMITED by <@${USERS.operator}>`);
  });

  it('checks any other SKU against the catalogue and sends it as the catalogue spells it', async () => {
    await ask('bundle +447700900123 data-2gb');

    expect(bot.sandbox.requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/reseller/catalogue'],
      ['POST', `/account/${MPN}/bundle/DATA-2GB`],
    ]);
    expect(bundleOf(MPN)).toBe('DATA-2GB');
  });

  it('refuses a SKU the catalogue does not have and lists the ones it has', async () => {
    const text = await ask('bundle 07700900123 DATA-99GB');

    expect(text).toContain('DATA-99GB is not a bundle in ONSIM');
    for (const sku of ['BASE', 'UNLIMITED', 'DATA-10GB', 'BACKGROUND-ONLY']) expect(text).toContain(sku);
    expect(bundleWrites()).toHaveLength(0);
    expect(records()).toHaveLength(0);
  });

  it('refuses a SKU with characters ONSIM does not allow, without asking ONSIM', async () => {
    const text = await ask('bundle 07700900123 10GB!');

    expect(text).toContain('A bundle SKU is letters, digits, dot, dash or underscore');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('refuses a bad MPN with what was wrong and an example', async () => {
    const text = await ask('bundle +44 7700 UNLIMITED');

    expect(text).toContain('too short for a phone number');
    expect(text).toContain('/onsim bundle +44 7700 900123 UNLIMITED');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('refuses a viewer and audits the refusal', async () => {
    const text = await ask('bundle 07700900123 UNLIMITED', USERS.viewer);

    expect(text).toContain('change bundle needs the operator role');
    expect(bot.sandbox.requests).toHaveLength(0);
    const audit = await bot.store.listAudit({ limit: 10 });
    expect(audit.map((e) => [e.operation, e.event, e.userId])).toContainEqual([
      'change bundle',
      'refused',
      USERS.viewer,
    ]);
  });

  it('says "outcome unknown", never success, when ONSIM answers 503 to the change, and sends it once', async () => {
    bot.sandbox.setFault({ status: 503, match: { method: 'POST', pathPrefix: '/account/' } });

    const text = await ask('bundle 07700900123 UNLIMITED');

    expect(text).toContain('Outcome unknown');
    expect(text).not.toContain('is now');
    expect(bundleWrites()).toHaveLength(1);
    expect(records()).toHaveLength(0);
  });

  it('opens the form when only the number is given', async () => {
    const sent = await bot.driver.command('bundle 07700 900123', { user: USERS.operator });
    expect(sent.status).toBe(200);

    await waitFor(() => bot.slack.currentView(BUNDLE_CALLBACK_ID), { what: 'the bundle form' });
    expect(bot.slack.callsTo('views.open')).toHaveLength(1);
    expect(bot.slack.callsTo('views.open')[0]?.args.trigger_id).toBe(sent.triggerId);
  });

  it('says why when Slack will not open the form (an expired trigger), and asks ONSIM nothing', async () => {
    bot.slack.failNext('views.open', { error: 'expired_trigger_id' });

    const text = await ask('bundle 07700 900123');

    expect(text).toContain('Slack would not open the bundle form (expired_trigger_id)');
    expect(text).toContain('again');
    expect(bot.sandbox.requests).toHaveLength(0);
  });
});

describe('the "Change bundle" button and form', () => {
  beforeEach(async () => {
    bot = await startTestBot();
  });

  it('opens a form listing BASE, UNLIMITED and the catalogue bundles', async () => {
    const view = await openForm();

    expect(bot.slack.callsTo('views.open')).toHaveLength(1);
    const shown = JSON.stringify(view?.blocks);
    for (const sku of ['BASE', 'UNLIMITED', 'DATA-10GB', 'DATA-20GB', 'BACKGROUND-ONLY']) {
      expect(shown).toContain(`"value":"${sku}"`);
    }
    expect(JSON.parse(String(view?.private_metadata))).toEqual({ mpn: MPN, channel: 'C123' });
    expect(bot.sandbox.requests.map((r) => [r.method, r.path])).toEqual([['GET', '/reseller/catalogue']]);
  });

  it('changes the chosen bundle on submission and records it in the card’s channel', async () => {
    await openForm();

    const res = await submit({ ...chosen('DATA-20GB'), ...typedSku(undefined) });

    expect(res.body).toBe('');
    const record = await waitFor(() => records()[0], { what: 'the channel record' });
    expect(record.channel).toBe('C123');
    expect(record.text).toBe(`📦 Bundle of ${SHOWN} changed to DATA-20GB by <@${USERS.operator}>`);
    expect(bundleWrites().map((r) => [r.path, r.body])).toEqual([
      [`/account/${MPN}/bundle/DATA-20GB`, undefined],
    ]);
  });

  it('takes a typed SKU when nothing is chosen', async () => {
    await openForm();

    await submit({ ...typedSku('  unlimited ') });

    await waitFor(() => records()[0], { what: 'the channel record' });
    expect(bundleWrites().map((r) => r.path)).toEqual([`/account/${MPN}/bundle/UNLIMITED`]);
  });

  it.each([
    ['nothing chosen or typed', {}, FIELD_BUNDLE, 'Choose a bundle from the list'],
    ['both, differing', { ...chosen('BASE'), ...typedSku('UNLIMITED') }, FIELD_BUNDLE_SKU, 'not both'],
    ['a SKU with a space', { ...typedSku('DATA 10GB') }, FIELD_BUNDLE_SKU, 'letters, digits, dot, dash'],
  ])('shows a field error for %s, and changes nothing', async (_case, values, field, message) => {
    await openForm();

    const res = await submit(values);

    expect(res.json).toMatchObject({
      response_action: 'errors',
      errors: { [field]: expect.stringContaining(message) },
    });
    expect(bundleWrites()).toHaveLength(0);
  });

  it('refuses a typed SKU the catalogue does not have, on the field, like the command does', async () => {
    await openForm();

    const res = await submit({ ...typedSku('DATA-99GB') });

    expect(res.json).toMatchObject({
      response_action: 'errors',
      errors: { [FIELD_BUNDLE_SKU]: expect.stringContaining("not a bundle in ONSIM's catalogue") },
    });
    expect(JSON.stringify(res.json)).toContain('DATA-10GB');
    expect(bundleWrites()).toHaveLength(0);
  });

  it('sends a typed catalogue SKU as the catalogue spells it', async () => {
    await openForm();

    await submit({ ...typedSku('data-20gb') });

    await waitFor(() => records()[0], { what: 'the channel record' });
    expect(bundleWrites().map((r) => r.path)).toEqual([`/account/${MPN}/bundle/DATA-20GB`]);
  });

  it('still offers BASE and UNLIMITED when the catalogue cannot be read', async () => {
    bot.sandbox.setFault({ status: 500, match: { pathPrefix: '/reseller/catalogue' } });

    const view = await openForm();

    const shown = JSON.stringify(view?.blocks);
    expect(shown).toContain('"value":"BASE"');
    expect(shown).toContain('"value":"UNLIMITED"');
    expect(shown).not.toContain('"value":"DATA-10GB"');
    expect(shown).toContain('type any other SKU below');
  });

  it('tells the clicker when Slack refuses to open the form (an expired trigger)', async () => {
    bot.slack.failNext('views.open', { error: 'expired_trigger_id' });

    const click = await bot.driver.blockAction({
      actionId: ACTION_ACCOUNT_BUNDLE,
      value: MPN,
      user: USERS.operator,
    });

    const answer = await waitFor(() => bot.slack.responsesTo(click.responseUrl ?? '')[0], {
      what: 'the answer',
    });
    expect(String(answer.body.text)).toContain('open the bundle form');
    expect(String(answer.body.text)).toContain('expired_trigger_id');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('refuses a viewer’s click without opening a form', async () => {
    const click = await bot.driver.blockAction({
      actionId: ACTION_ACCOUNT_BUNDLE,
      value: MPN,
      user: USERS.viewer,
    });

    const answer = await waitFor(() => bot.slack.responsesTo(click.responseUrl ?? '')[0], {
      what: 'the refusal',
    });
    expect(String(answer.body.text)).toContain('change bundle needs the operator role');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('checks the role again on submission: a form opened by an operator cannot be submitted by a viewer', async () => {
    await openForm(USERS.operator);

    const res = await submit(chosen('UNLIMITED'), USERS.viewer);

    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(res.json)).toContain('needs the *operator* role');
    expect(bundleWrites()).toHaveLength(0);
    expect(records()).toHaveLength(0);
  });

  it('tells only the submitter "outcome unknown" when ONSIM answers 503, and sends the change once', async () => {
    await openForm();
    bot.sandbox.setFault({ status: 503, match: { method: 'POST', pathPrefix: '/account/' } });

    await submit(chosen('UNLIMITED'));

    const told = await waitFor(() => bot.slack.messages().find((m) => m.via === 'postEphemeral'), {
      what: 'the ephemeral answer',
    });
    expect(told.user).toBe(USERS.operator);
    expect(told.channel).toBe('C123');
    expect(told.text).toContain('Outcome unknown');
    expect(bundleWrites()).toHaveLength(1);
    expect(records()).toHaveLength(0);
  });
});

describe('when ONSIM is slow', () => {
  beforeEach(async () => {
    bot = await startTestBot({ onsimTimeoutMs: 10_000 });
  });

  it('opens the form at once when ONSIM takes 5 s, and fills it when ONSIM answers', async () => {
    bot.sandbox.setLatency(5_000);

    await bot.driver.blockAction({ actionId: ACTION_ACCOUNT_BUNDLE, value: MPN, user: USERS.operator });

    await waitFor(() => bot.slack.callsTo('views.open').length > 0, { what: 'views.open' });
    expect(bot.slack.callsTo('views.update')).toHaveLength(0);
    expect(JSON.stringify(bot.slack.callsTo('views.open')[0]?.args.view)).toContain('Reading ONSIM');
    await waitFor(() => bot.slack.callsTo('views.update').length > 0, {
      what: 'views.update',
      timeoutMs: 15_000,
    });
    expect(JSON.stringify(bot.slack.currentView(BUNDLE_CALLBACK_ID)?.blocks)).toContain(
      '"value":"DATA-10GB"',
    );
  }, 20_000);
});
