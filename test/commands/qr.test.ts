import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { renderQrLocally } from '../../src/qr/image.js';
import { ACTION_ACCOUNT_QR, ACTION_ESIM_QR } from '../../src/views/action-ids.js';
import { ACTION_QR_DELETE } from '../../src/views/qr.js';
import { startTestBot, type TestBot, type TestBotOptions, USERS } from '../support/bot.js';
import type { SlackMessage } from '../support/fake-slack.js';
import { waitFor } from '../support/wait.js';

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

function esimCodeOf(b: TestBot, iccid: string): string {
  const code = b.sandbox.state.sims.get(iccid)?.esim?.code;
  if (!code) throw new Error(`no eSIM code for ${iccid}`);
  return code;
}

async function ask(b: TestBot, text: string, user: string = USERS.operator) {
  const sent = await b.driver.command(text, { user, channel: 'C123' });
  const answer = await b.answerAt(sent.responseUrl);
  // The mrkdwn of the answer (the fallback text drops formatting characters).
  return JSON.stringify(answer.body.blocks ?? []);
}

type Button = { action_id?: string; value?: string };
function deleteButton(m: SlackMessage | undefined): Button | undefined {
  const blocks = (m?.blocks ?? []) as { type: string; elements?: Button[] }[];
  return blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTION_QR_DELETE);
}
const followUp = (b: TestBot) => b.slack.messages().find((m) => deleteButton(m) !== undefined);

/** No Slack call, reply or log line may carry the activation code. */
function expectCodeNowhere(b: TestBot, code: string) {
  expect(JSON.stringify(b.slack.calls.map((c) => c.args))).not.toContain(code);
  expect(JSON.stringify(b.slack.responses)).not.toContain(code);
  expect(b.logs.join('\n')).not.toContain(code);
}

describe('/onsim qr', () => {
  it('uploads ONSIM’s PNG into the channel through the three-step upload, with title, alt text and who posted it', async () => {
    const b = await start();
    const code = esimCodeOf(b, F.readyEsimIccid);

    const text = await ask(b, 'qr 07700 900124');

    expect(text).toContain('Posted the QR code for *+44 7700 900124* in <#C123>');
    expect(b.sandbox.requestsTo('POST', '/account/esim')[0]?.body).toEqual({
      mpn: F.readyEsimMpn,
      refresh_code: 0,
    });
    expect(b.sandbox.requestsTo('POST', '/account/esim/generate')[0]?.body).toEqual({ esim_code: code });
    const methods = b.slack.calls.map((c) => c.method);
    const asked = methods.indexOf('files.getUploadURLExternal');
    const completed = methods.indexOf('files.completeUploadExternal');
    expect(asked).toBeGreaterThanOrEqual(0);
    expect(completed).toBeGreaterThan(asked);
    expect(b.slack.callsTo('files.getUploadURLExternal')[0]?.args).toMatchObject({
      filename: `esim-${F.readyEsimMpn}.png`,
      alt_text: 'QR code that installs the eSIM for +44 7700 900124',
    });

    const [upload] = b.slack.uploads;
    expect(upload?.channelId).toBe('C123');
    expect(upload?.title).toBe('eSIM QR for +44 7700 900124');
    expect([...(upload?.bytes.subarray(0, 8) ?? [])]).toEqual(PNG);
    expect(upload?.bytes.length).toBeGreaterThan(200);
    expect(upload?.initialComment).toContain(`posted by <@${USERS.operator}>`);
    expect(upload?.initialComment).toContain('Whoever scans it first gets the line');
    expect(upload?.initialComment).not.toContain('drew it');

    const follow = await waitFor(() => followUp(b), { what: 'the Delete QR message' });
    expect(follow.channel).toBe('C123');
    expectCodeNowhere(b, code);

    const trail = await b.store.listAudit({ target: F.readyEsimMpn, limit: 5 });
    expect(trail.map((e) => [e.operation, e.event, e.userId])).toEqual([
      ['post QR', 'succeeded', USERS.operator],
    ]);
    expect(JSON.stringify(trail)).not.toContain(code);
  });

  it('draws the QR locally from the same code when ONSIM cannot generate it, and says so', async () => {
    const b = await start();
    const code = esimCodeOf(b, F.readyEsimIccid);
    b.sandbox.setFault({ status: 500, match: { method: 'POST', pathPrefix: '/account/esim/generate' } });

    const text = await ask(b, `qr ${F.readyEsimIccid}`);

    expect(text).toContain('the bot drew it');
    const [upload] = b.slack.uploads;
    expect(upload?.bytes.equals(await renderQrLocally(code))).toBe(true);
    // The channel learns that the image was drawn, never the status of the failed request.
    expect(upload?.initialComment).toContain("ONSIM's image could not be fetched; drawn here instead");
    expect(upload?.initialComment).not.toMatch(/500|answered/);
    expect(b.logs.join('\n')).toContain('ONSIM answered 500');
    expect(upload?.title).toBe(`eSIM QR for SIM ${F.readyEsimIccid}`);
    expectCodeNowhere(b, code);
  });

  it('does not draw a code ONSIM does not know (refreshed since), and says so without echoing it', async () => {
    const b = await start();
    const stale = 'LPA:1$smdp.example$STALE0000000000';

    const text = await ask(b, `qr ${stale}`);

    expect(text).toContain('ONSIM does not know the activation code');
    expect(text).toContain('no QR code was posted');
    expect(b.sandbox.requestsTo('POST', '/account/esim/generate')).toHaveLength(1);
    expect(b.slack.uploads).toEqual([]);
    expectCodeNowhere(b, stale);
  });

  it('posts the QR of an activation code given directly, without asking ONSIM for it', async () => {
    const b = await start();
    const code = esimCodeOf(b, F.readyEsimIccid);

    const text = await ask(b, `qr ${code}`);

    expect(text).toContain('Posted the QR code');
    expect(
      b.sandbox.requestsTo('POST', '/account/esim').filter((r) => r.path === '/account/esim'),
    ).toHaveLength(0);
    expect(b.slack.uploads[0]?.title).toBe('eSIM QR');
    expect(b.slack.uploads[0]?.filename).toBe('esim-qr.png');
    expect(JSON.stringify(b.slack.calls.map((c) => c.args))).not.toContain(code);
  });

  it('sends the QR to the requester’s DM instead of the channel with QR_DELIVERY=dm', async () => {
    const b = await start({ env: { QR_DELIVERY: 'dm' } });

    const text = await ask(b, 'qr 07700 900124');

    expect(text).toContain('direct message');
    expect(b.slack.callsTo('conversations.open')[0]?.args.users).toBe(USERS.operator);
    expect(b.slack.uploads.map((u) => u.channelId)).toEqual([`D${USERS.operator}`]);
    expect(followUp(b)?.channel).toBe(`D${USERS.operator}`);
  });

  it('does not post the QR of an eSIM already installed on a phone', async () => {
    const b = await start();
    const text = await ask(b, 'qr 07700 900123');
    expect(text).toContain('already installed');
    expect(b.slack.uploads).toEqual([]);
    expect(b.sandbox.requestsTo('POST', '/account/esim/generate')).toHaveLength(0);
  });

  it('explains what it takes when the identifier is not one', async () => {
    const b = await start();
    const text = await ask(b, 'qr hello');
    expect(text).toContain('“hello” contains the letter “h”');
    expect(text).toContain('e.g. +44 7700 900123');
    expect(b.sandbox.requests).toEqual([]);
  });

  it('says plainly when Slack will not take the image in the channel', async () => {
    const b = await start();
    b.slack.failNext('files.completeUploadExternal', { error: 'not_in_channel' });
    const text = await ask(b, 'qr 07700 900124');
    expect(text).toContain('not_in_channel');
    expect(text).toContain('/invite');
    const trail = await b.store.listAudit({ target: F.readyEsimMpn, limit: 5 });
    expect(trail.map((e) => e.event)).toEqual(['failed']);
  });

  it('refuses a viewer, asking ONSIM nothing', async () => {
    const b = await start();
    const text = await ask(b, 'qr 07700 900124', USERS.viewer);
    expect(text).toContain('needs the *operator* role');
    expect(b.sandbox.requests).toEqual([]);
    expect(b.slack.uploads).toEqual([]);
  });
});

describe('QR buttons on the account and eSIM cards', () => {
  it.each([
    [ACTION_ACCOUNT_QR, F.readyEsimMpn],
    [ACTION_ESIM_QR, `mpn:${F.readyEsimMpn}`],
    [ACTION_ESIM_QR, `iccid:${F.readyEsimIccid}`],
  ])('%s with value %s posts the QR into the card’s channel', async (actionId, value) => {
    const b = await start();
    const click = await b.driver.blockAction({
      user: USERS.operator,
      actionId,
      value,
      channel: 'C555',
      message: { ts: '1700000000.000100' },
    });
    const answer = await b.answerAt(click.responseUrl ?? '');
    expect(String(answer.body.text)).toContain('Posted the QR code');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.replace_original).toBe(false);
    expect(b.slack.uploads.map((u) => u.channelId)).toEqual(['C555']);
  });

  it('finds the eSIM by account id from the eSIM card', async () => {
    const b = await start();
    const account = b.sandbox.state.sims.get(F.readyEsimIccid)?.iAccount;
    const click = await b.driver.blockAction({
      user: USERS.operator,
      actionId: ACTION_ESIM_QR,
      value: `i_account:${account}`,
      message: { ts: '1700000000.000100' },
    });
    await b.answerAt(click.responseUrl ?? '');
    expect(b.sandbox.requestsTo('POST', '/account/esim')[0]?.body).toEqual({
      i_account: account,
      refresh_code: 0,
    });
    expect(b.slack.uploads[0]?.title).toBe(`eSIM QR for account ${account}`);
  });

  it.each([
    [ACTION_ACCOUNT_QR, F.readyEsimMpn],
    [ACTION_ESIM_QR, `mpn:${F.readyEsimMpn}`],
  ])('%s refuses a viewer', async (actionId, value) => {
    const b = await start();
    const click = await b.driver.blockAction({
      user: USERS.viewer,
      actionId,
      value,
      message: { ts: '1700000000.000100' },
    });
    const answer = await b.answerAt(click.responseUrl ?? '');
    expect(String(answer.body.text)).toMatch(/needs the \*?operator\*? role/);
    expect(b.sandbox.requests).toEqual([]);
    expect(b.slack.uploads).toEqual([]);
    const trail = await b.store.listAudit({ limit: 5 });
    expect(trail.map((e) => [e.userId, e.operation, e.event])).toEqual([
      [USERS.viewer, 'post QR', 'refused'],
    ]);
  });
});

describe('Delete QR', () => {
  async function postedQr(b: TestBot) {
    await ask(b, 'qr 07700 900124');
    const message = await waitFor(() => followUp(b), { what: 'the Delete QR message' });
    const button = deleteButton(message);
    const fileId = b.slack.uploads[0]?.fileId;
    if (!button?.value || !fileId || !message.ts) throw new Error('no QR posted');
    return { value: button.value, fileId, ts: message.ts };
  }

  const click = (b: TestBot, user: string, value: string, ts: string) =>
    b.driver.blockAction({ user, actionId: ACTION_QR_DELETE, value, channel: 'C123', message: { ts } });

  it('lets the poster delete the image, replaces the button message and audits it', async () => {
    const b = await start();
    const { value, fileId, ts } = await postedQr(b);

    const clicked = await click(b, USERS.operator, value, ts);

    const answer = await b.answerAt(clicked.responseUrl ?? '');
    expect(b.slack.callsTo('files.delete').map((c) => c.args.file)).toEqual([fileId]);
    expect(answer.body.replace_original).toBe(true);
    expect(String(answer.body.text)).toContain(`deleted by <@${USERS.operator}>`);
    const trail = await b.store.listAudit({ target: F.readyEsimMpn, limit: 5 });
    expect(trail.map((e) => [e.operation, e.event])).toContainEqual(['delete QR', 'succeeded']);
  });

  it('lets an admin delete someone else’s QR', async () => {
    const b = await start();
    const { value, fileId, ts } = await postedQr(b);
    await b.answerAt((await click(b, USERS.admin, value, ts)).responseUrl ?? '');
    expect(b.slack.callsTo('files.delete').map((c) => c.args.file)).toEqual([fileId]);
  });

  it('refuses another operator and keeps the image', async () => {
    const b = await start();
    const { value, ts } = await postedQr(b);

    const clicked = await click(b, USERS.otherOperator, value, ts);

    const answer = await b.answerAt(clicked.responseUrl ?? '');
    expect(String(answer.body.text)).toContain(`Only <@${USERS.operator}>, who posted this QR, or an admin`);
    expect(answer.body.replace_original).toBe(false);
    expect(b.slack.callsTo('files.delete')).toEqual([]);
    const trail = await b.store.listAudit({ limit: 10 });
    expect(trail.map((e) => [e.userId, e.operation, e.event])).toContainEqual([
      USERS.otherOperator,
      'delete QR',
      'refused',
    ]);
  });
});
