import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../src/slack-emulator/emulator.js';
import { waitFor } from '../support/wait.js';

let fake: FakeSlack;
let client: WebClient;

const clientFor = (
  token: string | undefined,
  options: { rejectRateLimitedCalls?: boolean; retries?: number } = {},
) =>
  new WebClient(token, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: options.retries ?? 0, minTimeout: 0, maxTimeout: 0 },
    rejectRateLimitedCalls: options.rejectRateLimitedCalls,
  });

beforeAll(async () => {
  fake = await startFakeSlack();
  client = clientFor('xoxb-test');
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('fake Slack Web API', () => {
  it('answers auth.test with the bot identity for a bearer token', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' });
    expect(fake.callsTo('auth.test')[0]?.headers.authorization).toBe('Bearer xoxb-test');
  });

  it('rejects auth.test without a token as invalid_auth', async () => {
    await expect(clientFor(undefined).auth.test()).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'invalid_auth' },
    });
  });

  it('records chat.postMessage with blocks decoded back to objects and answers increasing ts', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }];
    const first = await client.chat.postMessage({ channel: 'C1', text: 'hi', blocks });
    const second = await client.chat.postMessage({ channel: 'C1', text: 'again', thread_ts: first.ts });

    expect(fake.callsTo('chat.postMessage')[0]?.args).toMatchObject({ channel: 'C1', text: 'hi', blocks });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message?.blocks).toEqual(blocks);
    expect(fake.messages()).toEqual([
      expect.objectContaining({ via: 'postMessage', channel: 'C1', text: 'hi', blocks, ts: first.ts }),
      expect.objectContaining({ via: 'postMessage', text: 'again', blocks: [], threadTs: first.ts }),
    ]);
  });

  it('lists updates and ephemeral messages among the messages', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'loading' });
    await client.chat.update({ channel: 'C1', ts: posted.ts ?? '', text: 'done' });
    const ephemeral = await client.chat.postEphemeral({ channel: 'C1', user: 'U9', text: 'only you' });

    expect(ephemeral.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.messages().map((m) => [m.via, m.text, m.ts ?? null, m.user ?? null])).toEqual([
      ['postMessage', 'loading', posted.ts, null],
      ['update', 'done', posted.ts, null],
      ['postEphemeral', 'only you', ephemeral.message_ts, 'U9'],
    ]);
  });

  it('gives each opened view a new id and keeps the id on views.update', async () => {
    const view = {
      type: 'modal' as const,
      callback_id: 'provision',
      title: { type: 'plain_text' as const, text: 'Loading' },
      blocks: [],
    };
    const a = await client.views.open({ trigger_id: 't1', view });
    const b = await client.views.open({ trigger_id: 't2', view });
    const updated = await client.views.update({
      view_id: a.view?.id ?? '',
      view: { ...view, title: { type: 'plain_text', text: 'Ready' } },
    });

    expect(a.view?.id).toMatch(/^V/);
    expect(b.view?.id).not.toBe(a.view?.id);
    expect(updated.view?.id).toBe(a.view?.id);
    expect(updated.view?.hash).not.toBe(a.view?.hash);
    expect(fake.callsTo('views.update')[0]?.args.view).toMatchObject({ title: { text: 'Ready' } });
    expect(fake.currentView(a.view?.id ?? '')?.title).toEqual({ type: 'plain_text', text: 'Ready' });
    expect(fake.currentView('provision')?.id).toBe(a.view?.id);
  });

  it('answers usergroups.users.list from the configured group and no_such_subteam otherwise', async () => {
    fake.setUsergroup('S123', ['U1', 'U2']);
    expect((await client.usergroups.users.list({ usergroup: 'S123' })).users).toEqual(['U1', 'U2']);
    await expect(client.usergroups.users.list({ usergroup: 'S999' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
  });

  it('opens a DM channel named after the user', async () => {
    expect((await client.conversations.open({ users: 'U7' })).channel?.id).toBe('DU7');
  });

  it('stores the bytes and metadata of a files.uploadV2 upload', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10]);
    const res = await client.files.uploadV2({
      channel_id: 'C1',
      thread_ts: '1700000000.000100',
      file: bytes,
      filename: 'qr.png',
      title: 'eSIM QR',
      alt_text: 'QR code',
      initial_comment: 'Here is the QR',
    });

    expect(fake.calls.map((c) => c.method)).toEqual([
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
    ]);
    expect(fake.callsTo('files.getUploadURLExternal')[0]?.args).toMatchObject({
      filename: 'qr.png',
      length: '7',
    });
    expect(fake.uploads).toHaveLength(1);
    const [upload] = fake.uploads;
    expect(upload).toMatchObject({
      filename: 'qr.png',
      title: 'eSIM QR',
      altText: 'QR code',
      channelId: 'C1',
      initialComment: 'Here is the QR',
      threadTs: '1700000000.000100',
    });
    expect(upload?.bytes.equals(bytes)).toBe(true);
    expect(upload?.fileId).toMatch(/^F/);
    expect(res).toMatchObject({ ok: true, files: [{ files: [{ id: upload?.fileId, title: 'eSIM QR' }] }] });
  });

  it('refuses to complete an upload whose bytes never arrived', async () => {
    const { file_id } = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 1 });
    await expect(
      client.files.completeUploadExternal({ files: [{ id: file_id ?? '' }], channel_id: 'C1' }),
    ).rejects.toMatchObject({ data: { error: 'file_not_found' } });
    expect(fake.uploads).toEqual([]);
  });

  it('answers 429 with Retry-After once when told to, then serves the method again', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const impatient = clientFor('xoxb-test', { rejectRateLimitedCalls: true });

    await expect(impatient.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    await expect(impatient.chat.postMessage({ channel: 'C1', text: 'y' })).resolves.toMatchObject({
      ok: true,
    });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(fake.messages().map((m) => m.text)).toEqual(['y']);
  });

  it('answers HTTP 500 as many times as asked, which the client sees as an HTTP error', async () => {
    fake.failNext('views.open', { status: 500, times: 2 });
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'x' }, blocks: [] };

    await expect(
      clientFor('xoxb-test', { retries: 1 }).views.open({ trigger_id: 't', view }),
    ).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
    expect(fake.callsTo('views.open')).toHaveLength(2);
    await expect(client.views.open({ trigger_id: 't', view })).resolves.toMatchObject({ ok: true });
  });

  it('answers ok:false with the given error on HTTP 200', async () => {
    fake.failNext('chat.update', { error: 'message_not_found' });
    await expect(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'message_not_found' },
    });
  });

  it('delays a method by the configured latency: another method called meanwhile answers first', async () => {
    fake.setLatency('auth.test', 300);
    let answered = false;
    const slow = client.auth.test().then((res) => {
      answered = true;
      return res;
    });
    await waitFor(() => fake.callsTo('auth.test').length === 1, { what: 'auth.test to arrive' });
    expect((await client.api.test()).ok).toBe(true);
    expect(answered).toBe(false);
    expect((await slow).ok).toBe(true);
  });

  it('records JSON POSTs to a response_url and lists them as messages', async () => {
    const url = fake.responseUrl('cmd');
    const body = { response_type: 'in_channel', replace_original: true, text: 'Done', blocks: [] };
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

    expect(res.status).toBe(200);
    expect(fake.responsesTo(url)).toEqual([expect.objectContaining({ body })]);
    expect(fake.messages()).toEqual([
      expect.objectContaining({
        via: 'response',
        text: 'Done',
        responseType: 'in_channel',
        replaceOriginal: true,
      }),
    ]);
  });

  it('answers 404 for a response_url it never issued', async () => {
    const res = await fetch(`${fake.url}/respond/nope`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(fake.responses).toEqual([]);
  });

  it('parses JSON and multipart request bodies as well as form bodies', async () => {
    await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: 'Bearer xoxb-test', 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C2', blocks: [{ type: 'divider' }] }),
    });
    await client.apiCall('files.custom', { note: 'n', data: Buffer.from('abc') });

    expect(fake.callsTo('chat.postMessage')[0]?.args).toEqual({
      channel: 'C2',
      blocks: [{ type: 'divider' }],
    });
    const multipart = fake.callsTo('files.custom')[0]?.args;
    expect(multipart?.note).toBe('n');
    expect(Buffer.isBuffer(multipart?.data) && multipart.data.toString()).toBe('abc');
  });

  it('answers ok for methods it does not model and records them', async () => {
    await expect(client.apiCall('reactions.add', { name: 'tada' })).resolves.toMatchObject({ ok: true });
    expect(fake.callsTo('reactions.add')[0]?.args).toEqual({ name: 'tada' });
  });

  it('forgets recorded traffic and pending failures on reset', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    fake.reset();

    expect(fake.calls).toEqual([]);
    expect(fake.messages()).toEqual([]);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'y' })).resolves.toMatchObject({ ok: true });
  });
});
