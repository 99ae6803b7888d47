import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from '../../src/slack-emulator/emulator.js';
import { RESPONSE_URL_USES, TRIGGER_TTL_MS } from '../../src/slack-emulator/rules.js';

let clock = 1_800_000_000_000;
let slack: SlackEmulator;
let client: WebClient;

const platformError = (error: string) => ({
  code: ErrorCode.PlatformError,
  data: expect.objectContaining({ error }),
});
const modal = (title = 'Form') => ({
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: title },
  blocks: [],
});

beforeAll(async () => {
  slack = await startSlackEmulator({
    strict: true,
    now: () => clock,
    workspace: {
      people: [{ id: 'UALICE', name: 'alice', realName: 'Alice' }],
      channels: [
        { id: 'COPS', name: 'ops', kind: 'public', botMember: true },
        { id: 'GSECRET', name: 'secret', kind: 'private', botMember: false },
      ],
    },
  });
  client = new WebClient('xoxb-test', {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
});
afterAll(() => slack.close());
beforeEach(() => {
  slack.reset();
  clock += 60_000;
});

describe('Slack emulator in strict mode (the playground)', () => {
  it('accepts a trigger_id once, within 3 seconds, for the person it was issued to', async () => {
    const trigger = slack.issueTrigger('UALICE');
    const opened = await client.views.open({ trigger_id: trigger, view: modal() });
    expect(slack.viewStack('UALICE').map((v) => v.id)).toEqual([opened.view?.id]);
    await expect(client.views.open({ trigger_id: trigger, view: modal() })).rejects.toMatchObject(
      platformError('exchanged_trigger_id'),
    );

    const late = slack.issueTrigger('UALICE');
    clock += TRIGGER_TTL_MS + 1;
    await expect(client.views.open({ trigger_id: late, view: modal() })).rejects.toMatchObject(
      platformError('expired_trigger_id'),
    );
    await expect(client.views.open({ trigger_id: 'made.up', view: modal() })).rejects.toMatchObject(
      platformError('invalid_arguments'),
    );
  });

  it('answers hash_conflict when views.update names an old hash, and not_found for an unknown view', async () => {
    const opened = await client.views.open({ trigger_id: slack.issueTrigger('UALICE'), view: modal() });
    const id = opened.view?.id ?? '';
    const first = await client.views.update({
      view_id: id,
      hash: opened.view?.hash,
      view: modal('Two'),
    });
    await expect(
      client.views.update({ view_id: id, hash: opened.view?.hash, view: modal('Three') }),
    ).rejects.toMatchObject(platformError('hash_conflict'));
    expect(slack.currentView(id)?.hash).toBe(first.view?.hash);
    await expect(client.views.update({ view_id: 'VNOPE', view: modal() })).rejects.toMatchObject(
      platformError('not_found'),
    );
  });

  it('keeps at most three views on the stack', async () => {
    await client.views.open({ trigger_id: slack.issueTrigger('UALICE'), view: modal() });
    await client.views.push({ trigger_id: slack.issueTrigger('UALICE'), view: modal('2') });
    await client.views.push({ trigger_id: slack.issueTrigger('UALICE'), view: modal('3') });
    await expect(
      client.views.push({ trigger_id: slack.issueTrigger('UALICE'), view: modal('4') }),
    ).rejects.toMatchObject(platformError('push_limit_reached'));
    expect(slack.viewStack('UALICE')).toHaveLength(3);
  });

  it('applies view_submission acks to the stack: errors stay on the view, push adds, clear closes all', async () => {
    const opened = await client.views.open({ trigger_id: slack.issueTrigger('UALICE'), view: modal() });
    const id = opened.view?.id ?? '';
    slack.applyViewAck('UALICE', id, { response_action: 'errors', errors: { email: 'Not an email' } });
    expect(slack.viewStack('UALICE').map((v) => v.errors)).toEqual([{ email: 'Not an email' }]);
    slack.applyViewAck('UALICE', id, { response_action: 'push', view: modal('Next') });
    expect(slack.viewStack('UALICE').map((v) => (v.title as { text: string }).text)).toEqual([
      'Form',
      'Next',
    ]);
    const top = slack.viewStack('UALICE')[1]?.id ?? '';
    slack.applyViewAck('UALICE', top, '');
    expect(slack.viewStack('UALICE')).toHaveLength(1);
    slack.applyViewAck('UALICE', id, { response_action: 'update', view: modal('Updated') });
    expect(
      slack.viewStack('UALICE').map((v) => [v.id, (v.title as { text: string }).text, v.errors]),
    ).toEqual([[id, 'Updated', undefined]]);
    slack.applyViewAck('UALICE', id, { response_action: 'clear' });
    expect(slack.viewStack('UALICE')).toEqual([]);
  });

  it('answers channel_not_found in a private channel until the bot is invited', async () => {
    await expect(client.chat.postMessage({ channel: 'GSECRET', text: 'hi' })).rejects.toMatchObject(
      platformError('channel_not_found'),
    );
    await expect(client.chat.postMessage({ channel: 'CNOPE', text: 'hi' })).rejects.toMatchObject(
      platformError('channel_not_found'),
    );
    slack.invite('GSECRET', 'UBOT', 'UALICE');
    await expect(client.chat.postMessage({ channel: 'GSECRET', text: 'hi' })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('answers 429 with Retry-After past a burst of messages in one channel, and not in another', async () => {
    const results: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      results.push(
        await client.chat.postMessage({ channel: 'COPS', text: `m${i}` }).catch((e: unknown) => e),
      );
    }
    const limited = results.at(-1) as { code?: string; retryAfter?: number };
    expect(results.slice(0, 5)).toEqual(Array(5).fill(expect.objectContaining({ ok: true })));
    expect(limited).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 1 });
    await expect(client.chat.postMessage({ channel: 'UALICE', text: 'dm' })).resolves.toMatchObject({
      ok: true,
    });
    clock += 1_000;
    await expect(client.chat.postMessage({ channel: 'COPS', text: 'later' })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('lets a response_url be used five times, then answers used_url; after 30 minutes expired_url', async () => {
    const url = slack.responseUrl('cmd', { channel: 'COPS', user: 'UALICE' });
    const post = () =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
    for (let i = 0; i < RESPONSE_URL_USES; i++) expect((await post()).status).toBe(200);
    const worn = await post();
    expect([worn.status, await worn.text()]).toEqual([404, 'used_url']);

    const old = slack.responseUrl('cmd', { channel: 'COPS', user: 'UALICE' });
    clock += 30 * 60_000 + 1;
    const late = await fetch(old, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([late.status, await late.text()]).toEqual([404, 'expired_url']);
  });

  it('shows a response_url answer to its person only, unless in_channel, and replaces the original', async () => {
    const posted = await client.chat.postMessage({ channel: 'COPS', text: 'card' });
    const url = slack.responseUrl('action', { channel: 'COPS', user: 'UALICE', messageTs: posted.ts });
    const post = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post({ text: 'just you' });
    await post({ text: 'everyone', response_type: 'in_channel' });
    await post({ text: 'card, updated', replace_original: true });

    const seen = (user: string) =>
      slack.workspace.visibleTo('COPS', user).map((m) => [m.text, m.ephemeralTo ?? null]);
    expect(seen('UALICE')).toEqual([
      ['card, updated', null],
      ['just you', 'UALICE'],
      ['everyone', null],
    ]);
    expect(seen('UBOB')).toEqual([
      ['card, updated', null],
      ['everyone', null],
    ]);
  });

  it('refuses a message over Block Kit limits with invalid_blocks, naming the problem', async () => {
    const blocks = [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }];
    await expect(client.chat.postMessage({ channel: 'COPS', text: 'x', blocks })).rejects.toMatchObject(
      platformError('invalid_blocks'),
    );
    expect(slack.workspace.visibleTo('COPS', 'UALICE')).toEqual([]);
  });

  it('turns the three-step upload into a message with a downloadable file', async () => {
    await client.files.uploadV2({
      channel_id: 'COPS',
      file: Buffer.from('a,b\n1,2\n'),
      filename: 'lines.csv',
      initial_comment: 'Export',
    });
    const [message] = slack.workspace.visibleTo('COPS', 'UALICE');
    expect(message).toMatchObject({
      text: 'Export',
      files: [expect.objectContaining({ name: 'lines.csv', mimetype: 'text/csv' })],
    });
    const res = await fetch(message?.files?.[0]?.url ?? '');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(await res.text()).toBe('a,b\n1,2\n');
  });
});
