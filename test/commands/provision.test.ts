import { afterEach, describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/onsim/identifiers.js';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_HOME_PROVISION } from '../../src/views/home.js';
import {
  PROVISION_CALLBACK_ID,
  PROVISION_FLAVOUR_ACTION,
  PROVISION_RETRY_ACTION,
  PROVISION_SHORTCUT_ID,
} from '../../src/views/provision.js';
import { startTestBot, type TestBot, type TestBotOptions, USERS, WORKING_NOTE } from '../support/bot.js';
import type { FakeSlack, StoredView } from '../support/fake-slack.js';
import { fieldValues } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const NEW_MPN = F.reservedNumber; // 447700900201
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function start(opts: TestBotOptions = {}): Promise<TestBot> {
  bot = await startTestBot(opts);
  return bot;
}

type Block = { type: string; block_id?: string; element?: { options?: { value: string }[] } };
const blocksOf = (view: unknown): Block[] =>
  typeof view === 'object' && view !== null && 'blocks' in view && Array.isArray(view.blocks)
    ? view.blocks
    : [];
const blockIds = (view: unknown) => blocksOf(view).map((b) => b.block_id);
const optionValues = (view: unknown, blockId: string) =>
  blocksOf(view)
    .find((b) => b.block_id === blockId)
    ?.element?.options?.map((o) => o.value);

/** The provisioning form once it shows `field` (the lists have arrived, or the flavour switched). */
function formWith(b: TestBot, field: string): Promise<StoredView> {
  return waitFor(
    () => {
      const view = b.slack.currentView(PROVISION_CALLBACK_ID);
      return view && blockIds(view).includes(field) ? view : undefined;
    },
    { what: `the provisioning form with ${field}` },
  );
}

function ucValues(over: Record<string, string | undefined> = {}) {
  const text: Record<string, string | undefined> = {
    mpn: '07700 900201',
    first_name: 'Jo',
    last_name: 'Smith',
    email: 'jo@example.com',
    ...over,
  };
  const selects = {
    group_name: F.groupName,
    product: String(F.productId),
    mobile_data: '2GB',
    home_location: 'GBR',
  };
  return {
    ...fieldValues({
      mpn: text.mpn,
      iccid: text.iccid,
      first_name: text.first_name,
      last_name: text.last_name,
    }),
    ...fieldValues({ email: text.email }, 'email_text_input'),
    ...fieldValues(selects, 'static_select'),
  };
}

function submit(b: TestBot, values: Record<string, Record<string, unknown>>, user: string = USERS.operator) {
  return b.driver.viewSubmission({ user, view: { callback_id: PROVISION_CALLBACK_ID, values } });
}

function subscriberFor(b: TestBot, mpn: string) {
  const sub = [...b.sandbox.state.subscribers.values()].find((s) => s.mpn === mpn);
  if (!sub) throw new Error(`no subscriber ${mpn}`);
  return sub;
}

function esimCodeOf(b: TestBot, iccid: string): string {
  const code = b.sandbox.state.sims.get(iccid)?.esim?.code;
  if (!code) throw new Error(`no eSIM code for ${iccid}`);
  return code;
}

/** Everything other people in a channel could see: posted messages, in-channel replies, uploads. */
function channelVisible(slack: FakeSlack): string {
  const messages = slack
    .messages()
    .filter((m) => m.via === 'postMessage' || m.via === 'update' || m.responseType === 'in_channel');
  const uploads = slack.uploads.map((u) => ({
    c: u.initialComment,
    t: u.title,
    f: u.filename,
    a: u.altText,
  }));
  return JSON.stringify({ messages, uploads });
}

/** Every Slack call except ephemeral messages, and every log line. */
function everywhereButEphemeral(b: TestBot): string {
  const calls = b.slack.calls.filter((c) => c.method !== 'chat.postEphemeral').map((c) => c.args);
  return JSON.stringify({ calls, responses: b.slack.responses }) + b.logs.join('\n');
}

const ephemeralsTo = (b: TestBot, user: string) =>
  b.slack.messages().filter((m) => m.via === 'postEphemeral' && m.user === user);

describe('provisioning an ONSIM UC line', () => {
  it('sends the exact provision-onsim body, records it in the channel, posts the QR and shows the SIP password only to the submitter', async () => {
    const b = await start();
    const sent = await b.driver.command('provision', { user: USERS.operator, channel: 'C123' });
    expect(sent.status).toBe(200);
    const form = await formWith(b, 'group_name');
    expect(optionValues(form, 'group_name')).toContain(F.groupName);
    expect(optionValues(form, 'product')).toContain(String(F.productId));
    expect(optionValues(form, 'mobile_data')).toEqual([
      'BACKGROUND-ONLY',
      '2GB',
      '4GB',
      '10GB',
      '20GB',
      'UNLIMITED',
    ]);
    expect(optionValues(form, 'home_location')).toEqual(['GBR', 'USA', 'FRA']);
    expect(blockIds(form)).not.toContain('report_channel');

    const res = await submit(b, ucValues());
    expect(res.status).toBe(200);
    expect(res.body).toBe('');

    await waitFor(() => b.sandbox.requestsTo('POST', '/reseller/provision-onsim').length === 1, {
      what: 'the provision request',
    });
    expect(b.sandbox.requestsTo('POST', '/reseller/provision-onsim')[0]?.body).toEqual({
      mpn: NEW_MPN,
      group_name: F.groupName,
      home_location: 'GBR',
      first_name: 'Jo',
      last_name: 'Smith',
      email: 'jo@example.com',
      product: F.productId,
      mobile_data: '2GB',
    });

    const upload = await waitFor(() => b.slack.uploads[0], { what: 'the QR upload' });
    const record = b.slack.messages().find((m) => m.via === 'postMessage' && m.text.includes('provisioned'));
    expect(record?.channel).toBe('C123');
    const shown = JSON.stringify(record?.blocks);
    expect(shown).toContain('+44 7700 900201');
    expect(shown).toContain('ONSIM UC');
    expect(shown).toContain(`<@${USERS.operator}>`);
    expect(shown).toContain(F.groupName);
    expect(shown).toContain('ONSIM UC Standard (#18)');
    expect(shown).toContain(F.reservedEsimIccid);

    expect(upload.channelId).toBe('C123');
    expect(upload.filename).toBe(`esim-${NEW_MPN}.png`);
    expect(upload.title).toBe('eSIM QR for +44 7700 900201');
    expect([...upload.bytes.subarray(0, 8)]).toEqual(PNG);
    expect(upload.initialComment).toContain(`<@${USERS.operator}>`);
    expect(upload.initialComment).toContain('Whoever scans it first gets the line');

    const password = subscriberFor(b, NEW_MPN).pbxPassword;
    const secret = await waitFor(
      () => ephemeralsTo(b, USERS.operator).find((m) => JSON.stringify(m.blocks).includes(password)),
      { what: 'the SIP password, privately' },
    );
    expect(secret.channel).toBe('C123');
    expect(secret.text).not.toContain(password);
    expect(JSON.stringify(secret.blocks)).toContain(`ONSIM${F.reservedEsimIccid}`);

    const code = esimCodeOf(b, F.reservedEsimIccid);
    expect(channelVisible(b.slack)).not.toContain(password);
    expect(everywhereButEphemeral(b)).not.toContain(password);
    expect(JSON.stringify(b.slack.calls.map((c) => c.args))).not.toContain(code);
    expect(b.logs.join('\n')).not.toContain(code);

    const trail = await waitFor(
      async () => {
        const entries = await b.store.listAudit({ target: NEW_MPN, limit: 10 });
        return entries.length >= 3 && entries;
      },
      { what: 'the audit entries' },
    );
    expect(trail.map((e) => [e.operation, e.event]).sort()).toEqual([
      ['post QR', 'succeeded'],
      ['provision', 'started'],
      ['provision', 'succeeded'],
    ]);
  });

  it('shows each wrong field on the field itself and sends nothing to ONSIM', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator });
    await formWith(b, 'group_name');
    const nineteen = F.reservedEsimIccid;
    const wrongDigit = (luhnCheckDigit(nineteen) + 1) % 10;

    const res = await submit(
      b,
      ucValues({ mpn: '0770', email: 'jo@example', iccid: `${nineteen}${wrongDigit}` }),
    );

    expect(res.json).toEqual({
      response_action: 'errors',
      errors: {
        mpn: expect.stringContaining('too short'),
        email: expect.stringContaining('not an email address'),
        iccid: expect.stringContaining('check digit'),
      },
    });
    expect(b.sandbox.requestsTo('POST', '/reseller/provision')).toHaveLength(0);
  });

  it.each([
    ['a group name that breaks ONSIM’s rule', { group_name: 'acme sales' }, 'group_name', 'contains a space'],
    ['a group ONSIM does not have', { group_name: 'NO_SUCH_GROUP' }, 'group_name', 'no customer group'],
    ['a product not in the catalogue', { product: '999' }, 'product', 'no product 999'],
  ])('shows %s on its field and sends nothing to ONSIM', async (_, selects, field, message) => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator });
    await formWith(b, 'group_name');

    const res = await submit(b, { ...ucValues(), ...fieldValues(selects, 'static_select') });

    expect(res.json).toEqual({
      response_action: 'errors',
      errors: { [field]: expect.stringContaining(message) },
    });
    expect(b.sandbox.requestsTo('POST', '/reseller/provision')).toHaveLength(0);
  });

  it('sends the group as ONSIM spells it when typed in another case', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator });
    await formWith(b, 'group_name');

    const res = await submit(b, {
      ...ucValues(),
      ...fieldValues({ group_name: F.groupName.toLowerCase() }, 'static_select'),
    });

    expect(res.body).toBe('');
    await waitFor(() => b.sandbox.requestsTo('POST', '/reseller/provision-onsim').length === 1, {
      what: 'the provision request',
    });
    expect(b.sandbox.requestsTo('POST', '/reseller/provision-onsim')[0]?.body).toMatchObject({
      group_name: F.groupName,
    });
  });

  it('asks for the group and product when they were left empty', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator });
    await formWith(b, 'group_name');
    const values = {
      ...ucValues(),
      ...fieldValues({ group_name: undefined, product: undefined }, 'static_select'),
    };

    const res = await submit(b, values);

    expect(res.json).toEqual({
      response_action: 'errors',
      errors: { group_name: 'Choose the customer group.', product: expect.stringContaining('product') },
    });
    expect(b.sandbox.requestsTo('POST', '/reseller/provision')).toHaveLength(0);
  });

  it('opens the form before ONSIM has answered (the trigger window), then fills in the lists', async () => {
    const b = await start({ onsimTimeoutMs: 60_000 });
    // ONSIM answers nothing until released: the form must open while its lists are still asked for.
    const release = b.sandbox.hold();

    const sent = await b.driver.command('provision', { user: USERS.operator });

    const opened = await waitFor(() => b.slack.callsTo('views.open').find((c) => c.answer), {
      what: 'views.open answered',
    });
    expect(opened.answer).toMatchObject({ ok: true });
    await waitFor(() => b.sandbox.requestsTo('GET', '/reseller/groups').length > 0, {
      what: 'the groups asked of ONSIM',
    });
    expect(blockIds(opened.args.view)).not.toContain('group_name');
    expect(JSON.stringify(opened.args.view)).toContain('Getting your customer groups');
    const viewId = b.slack.currentView(PROVISION_CALLBACK_ID)?.id;
    // While ONSIM is slow, the router says it is asking it.
    await waitFor(
      () => b.slack.responsesTo(sent.responseUrl).find((r) => String(r.body.text).includes(WORKING_NOTE)),
      { what: "the router's working note" },
    );

    release();
    const filled = await waitFor(
      () => b.slack.callsTo('views.update').find((c) => blockIds(c.args.view).includes('group_name')),
      { what: 'the form with the lists', timeoutMs: 15_000 },
    );
    expect(filled.args.view_id).toBe(viewId);
    expect(typeof filled.args.hash).toBe('string');
    expect(optionValues(filled.args.view, 'group_name')).toContain(F.groupName);
    // The router's "Asking ONSIM…" note is not left behind.
    const last = await waitFor(
      () => b.slack.responsesTo(sent.responseUrl).find((r) => String(r.body.text).includes('form is ready')),
      { what: 'the note that the form is ready' },
    );
    expect(last.body.replace_original).toBe(true);
  }, 30_000);

  it('says plainly in the form when ONSIM cannot list the groups, and fills it in on "Try again"', async () => {
    const b = await start();
    b.sandbox.setFault({ status: 500, match: { method: 'GET', pathPrefix: '/reseller/groups' } });

    await b.driver.command('provision', { user: USERS.operator });
    const failed = await waitFor(
      () => b.slack.callsTo('views.update').find((c) => JSON.stringify(c.args.view).includes('Try again')),
      { what: 'the failure in the form' },
    );
    expect(JSON.stringify(failed.args.view)).toContain('internal problem');
    expect(blockIds(failed.args.view)).not.toContain('group_name');
    expect(failed.args.view).not.toHaveProperty('submit');

    b.sandbox.setFault(null);
    const view = b.slack.currentView(PROVISION_CALLBACK_ID);
    if (!view) throw new Error('no form');
    await b.driver.blockAction({
      user: USERS.operator,
      actionId: PROVISION_RETRY_ACTION,
      view: { id: view.id, callback_id: PROVISION_CALLBACK_ID },
    });
    const form = await formWith(b, 'group_name');
    expect(optionValues(form, 'group_name')).toContain(F.groupName);
  });

  it('tells the submitter the outcome is unknown on a 503, how to check, and does not retry', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator });
    await formWith(b, 'group_name');
    b.sandbox.setFault({ status: 503, match: { method: 'POST', pathPrefix: '/reseller/provision-onsim' } });

    await submit(b, ucValues());

    const told = await waitFor(
      () => ephemeralsTo(b, USERS.operator).find((m) => m.text.includes('Outcome unknown')),
      { what: 'the outcome-unknown message' },
    );
    expect(told.channel).toBe('C123');
    expect(told.text).toContain('/onsim account +44 7700 900201');
    expect(told.text).toContain('set a new one with /onsim settings +44 7700 900201');
    expect(b.sandbox.requestsTo('POST', '/reseller/provision-onsim')).toHaveLength(1);
    expect(b.slack.messages().filter((m) => m.via === 'postMessage')).toEqual([]);
    expect(b.slack.uploads).toEqual([]);
    const trail = await b.store.listAudit({ target: NEW_MPN, limit: 10 });
    expect(trail.map((e) => e.event)).toContain('outcome_unknown');
    expect(trail.map((e) => e.event)).not.toContain('succeeded');
  });

  it('says why ONSIM refused, privately, when the number is already in use', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator });
    await formWith(b, 'group_name');

    await submit(b, ucValues({ mpn: '07700 900123' }));

    const told = await waitFor(
      () => ephemeralsTo(b, USERS.operator).find((m) => m.text.includes('ONSIM refused')),
      { what: 'the refusal' },
    );
    expect(told.text).toContain('already active');
    expect(b.slack.messages().filter((m) => m.via === 'postMessage')).toEqual([]);
  });
});

describe('when Slack gets in the way after provisioning', () => {
  it('posts the record in the submitter’s DM when the bot may not post in the channel, and still delivers the password and QR', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator, channel: 'C123' });
    await formWith(b, 'group_name');
    b.slack.failNext('chat.postMessage', { error: 'not_in_channel' });

    await submit(b, ucValues());

    const upload = await waitFor(() => b.slack.uploads[0], { what: 'the QR upload' });
    const record = b.slack.messages().find((m) => m.via === 'postMessage' && m.text.includes('provisioned'));
    expect(record?.channel).toBe(`D${USERS.operator}`);
    expect(JSON.stringify(record?.blocks)).toContain('could not post in <#C123>');
    expect(upload.channelId).toBe(`D${USERS.operator}`);
    const password = subscriberFor(b, NEW_MPN).pbxPassword;
    expect(ephemeralsTo(b, USERS.operator).some((m) => JSON.stringify(m.blocks).includes(password))).toBe(
      true,
    );
  });

  it('marks the record and tells the submitter how to retry when the QR cannot be posted', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator, channel: 'C123' });
    await formWith(b, 'group_name');
    b.slack.failNext('files.completeUploadExternal', { error: 'not_in_channel' });

    await submit(b, ucValues());

    const told = await waitFor(
      () => ephemeralsTo(b, USERS.operator).find((m) => JSON.stringify(m.blocks).includes('/onsim qr')),
      { what: 'the QR failure' },
    );
    expect(JSON.stringify(told.blocks)).toContain('The line is provisioned');
    const updated = b.slack.messages().find((m) => m.via === 'update');
    expect(JSON.stringify(updated?.blocks)).toContain('QR code could not be posted');
    expect(b.slack.uploads).toEqual([]);
  });
});

describe('provisioning an own-PBX line', () => {
  async function switchToPbx(b: TestBot) {
    const uc = await formWith(b, 'group_name');
    await b.driver.blockAction({
      user: USERS.operator,
      actionId: PROVISION_FLAVOUR_ACTION,
      selectedOption: { value: 'pbx' },
      view: { id: uc.id, callback_id: PROVISION_CALLBACK_ID },
    });
    return { uc, pbx: await formWith(b, 'pbx_user') };
  }

  it('switches the form to the own-PBX fields, keeping the shared fields under the same ids', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator });

    const { uc, pbx } = await switchToPbx(b);

    expect(pbx.id).toBe(uc.id);
    expect(blockIds(pbx)).toEqual(expect.arrayContaining(['mpn', 'iccid', 'pbx_user', 'pbx_password']));
    expect(blockIds(pbx)).not.toContain('group_name');
    expect(blockIds(pbx)).not.toContain('email');
  });

  it('sends the exact provision body with a physical SIM, never echoes the typed password, and posts no QR', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator, channel: 'C123' });
    await switchToPbx(b);
    const printed = `${F.reservedPsimIccid}${luhnCheckDigit(F.reservedPsimIccid)}`;
    const typedPassword = 'Typed-Secret-9431';

    const res = await submit(
      b,
      fieldValues({
        mpn: '+44 7700 900202',
        iccid: printed.replace(/(\d{4})/g, '$1 ').trim(),
        pbx_user: 'acme-desk-7',
        pbx_password: typedPassword,
      }),
    );
    expect(res.body).toBe('');

    await waitFor(() => b.sandbox.requestsTo('POST', '/reseller/provision').length === 1, {
      what: 'the provision request',
    });
    expect(b.sandbox.requestsTo('POST', '/reseller/provision')[0]?.body).toEqual({
      mpn: '447700900202',
      iccid: F.reservedPsimIccid,
      pbx_user: 'acme-desk-7',
      pbx_password: typedPassword,
    });
    const record = await waitFor(
      () => b.slack.messages().find((m) => m.via === 'postMessage' && m.text.includes('provisioned')),
      { what: 'the record' },
    );
    expect(JSON.stringify(record.blocks)).toContain('own PBX');
    expect(JSON.stringify(record.blocks)).toContain('Physical SIM');
    const creds = await waitFor(() => ephemeralsTo(b, USERS.operator)[0], { what: 'the SIP credentials' });
    expect(JSON.stringify(creds.blocks)).toContain('SIP username: acme-desk-7');
    expect(JSON.stringify(creds.blocks)).toContain('the one you typed');
    expect(b.slack.uploads).toEqual([]);
    expect(JSON.stringify(b.slack.calls.map((c) => c.args))).not.toContain(typedPassword);
    expect(b.logs.join('\n')).not.toContain(typedPassword);
  });

  it('sends only the MPN when the rest is left empty, and shows the generated password to the submitter only', async () => {
    const b = await start();
    await b.driver.command('provision pbx', { user: USERS.operator });
    await formWith(b, 'pbx_user');

    await submit(
      b,
      fieldValues({ mpn: '07700 900203', iccid: undefined, pbx_user: undefined, pbx_password: '' }),
    );

    await waitFor(() => b.slack.uploads[0], { what: 'the QR upload' });
    expect(b.sandbox.requestsTo('POST', '/reseller/provision')[0]?.body).toEqual({ mpn: '447700900203' });
    const password = subscriberFor(b, '447700900203').pbxPassword;
    await waitFor(
      () => ephemeralsTo(b, USERS.operator).find((m) => JSON.stringify(m.blocks).includes(password)),
      {
        what: 'the generated password, privately',
      },
    );
    expect(channelVisible(b.slack)).not.toContain(password);
    expect(everywhereButEphemeral(b)).not.toContain(password);
  });
});

describe('provisioning from the shortcut and App Home', () => {
  it('tells the operator in their DM when Slack will not open the form, the error code as code', async () => {
    const b = await start();
    b.slack.failNext('views.open', { error: 'expired_trigger_id' });
    await b.driver.shortcut(PROVISION_SHORTCUT_ID, { user: USERS.operator });

    const told = await waitFor(
      () => b.slack.messages().find((m) => m.channel === `D${USERS.operator}` && m.via === 'postMessage'),
      { what: 'the DM saying the form did not open' },
    );
    // As code, or mrkdwn would show "expired" and "id" around an italic "trigger".
    expect(JSON.stringify(told.blocks)).toContain('(`expired_trigger_id`)');
  });

  it('asks where to report and posts the record and QR in the chosen channel', async () => {
    const b = await start();
    await b.driver.shortcut(PROVISION_SHORTCUT_ID, { user: USERS.operator });
    const form = await formWith(b, 'group_name');
    expect(blockIds(form)).toContain('report_channel');

    await submit(b, {
      ...ucValues(),
      report_channel: { report_channel: { type: 'conversations_select', selected_conversation: 'C777' } },
    });

    const upload = await waitFor(() => b.slack.uploads[0], { what: 'the QR upload' });
    expect(upload.channelId).toBe('C777');
    const record = b.slack.messages().find((m) => m.via === 'postMessage' && m.text.includes('provisioned'));
    expect(record?.channel).toBe('C777');
  });

  it('reports in the submitter’s DM when no channel was chosen', async () => {
    const b = await start();
    await b.driver.blockAction({
      user: USERS.operator,
      actionId: ACTION_HOME_PROVISION,
      view: { id: `VHOME${USERS.operator}`, callback_id: '' },
    });
    await formWith(b, 'report_channel');

    await submit(b, ucValues());

    const upload = await waitFor(() => b.slack.uploads[0], { what: 'the QR upload' });
    expect(b.slack.callsTo('conversations.open')[0]?.args.users).toBe(USERS.operator);
    expect(upload.channelId).toBe(`D${USERS.operator}`);
  });

  it('sends the QR to the submitter’s DM with QR_DELIVERY=dm and says so in the channel record', async () => {
    const b = await start({ env: { QR_DELIVERY: 'dm' } });
    await b.driver.command('provision', { user: USERS.operator, channel: 'C123' });
    await formWith(b, 'group_name');

    await submit(b, ucValues());

    const upload = await waitFor(() => b.slack.uploads[0], { what: 'the QR upload' });
    expect(upload.channelId).toBe(`D${USERS.operator}`);
    const record = b.slack.messages().find((m) => m.via === 'postMessage' && m.text.includes('provisioned'));
    expect(record?.channel).toBe('C123');
    expect(JSON.stringify(record?.blocks)).toContain('direct message');
  });
});

describe('who may provision', () => {
  it('refuses a viewer on the command, without opening the form', async () => {
    const b = await start();
    const sent = await b.driver.command('provision', { user: USERS.viewer });
    const answer = await waitFor(() => b.slack.responsesTo(sent.responseUrl)[0], { what: 'the refusal' });
    expect(String(answer.body.text)).toMatch(/needs the \*?operator\*? role/);
    expect(b.slack.callsTo('views.open')).toEqual([]);
  });

  it.each([
    ['the shortcut', (b: TestBot) => b.driver.shortcut(PROVISION_SHORTCUT_ID, { user: USERS.viewer })],
    [
      'the App Home button',
      (b: TestBot) =>
        b.driver.blockAction({
          user: USERS.viewer,
          actionId: ACTION_HOME_PROVISION,
          view: { id: `VHOME${USERS.viewer}`, callback_id: '' },
        }),
    ],
  ])('refuses a viewer on %s with a modal that says which role is needed', async (_, open) => {
    const b = await start();
    await open(b);
    const shown = await waitFor(() => b.slack.callsTo('views.open')[0], { what: 'the refusal modal' });
    expect(JSON.stringify(shown.args.view)).toContain('needs the *operator* role');
    expect(shown.args.view).not.toHaveProperty('submit');
    expect(shown.args.view).not.toHaveProperty('callback_id', PROVISION_CALLBACK_ID);
    const trail = await b.store.listAudit({ limit: 10 });
    expect(trail.map((e) => [e.userId, e.operation, e.event])).toContainEqual([
      USERS.viewer,
      'provision',
      'refused',
    ]);
  });

  it('checks the role again on submission: a form opened by an operator cannot be submitted by a viewer', async () => {
    const b = await start();
    await b.driver.command('provision', { user: USERS.operator });
    await formWith(b, 'group_name');

    const res = await submit(b, ucValues(), USERS.viewer);

    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(res.json)).toContain('needs the *operator* role');
    expect(b.sandbox.requestsTo('POST', '/reseller/provision')).toHaveLength(0);
    const trail = await b.store.listAudit({ target: NEW_MPN, limit: 10 });
    expect(trail.map((e) => [e.userId, e.event])).toEqual([[USERS.viewer, 'refused']]);
  });
});
