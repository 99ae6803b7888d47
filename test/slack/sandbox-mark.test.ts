import type { KnownBlock, ModalView } from '@slack/types';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { badge, badgeView, SANDBOX_NOTE } from '../../src/slack/message.js';
import { sandboxMarkingFetch } from '../../src/slack/sandbox-mark.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

let slack: FakeSlack;
let client: WebClient;
const mark = sandboxMarkingFetch();

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.reset();
  client = new WebClient('xoxb-test', {
    slackApiUrl: slack.apiUrl,
    fetch: mark,
    retryConfig: { retries: 0 },
  });
});

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const notes = (blocks: unknown): number => JSON.stringify(blocks).split('🧪 *Sandbox*').length - 1;
const lastArgs = (method: string) => slack.callsTo(method).at(-1)?.args ?? {};

const modal = (blocks: KnownBlock[]): ModalView => ({
  type: 'modal',
  callback_id: 'form',
  title: { type: 'plain_text', text: 'Provision a SIM' },
  submit: { type: 'plain_text', text: 'Provision' },
  blocks,
});
const input: KnownBlock = {
  type: 'input',
  block_id: 'mpn',
  label: { type: 'plain_text', text: 'Number' },
  element: { type: 'plain_text_input', action_id: 'mpn' },
};

describe('the sandbox mark on what the bot sends to Slack', () => {
  it.each(['chat.postMessage', 'chat.postEphemeral', 'chat.update'] as const)(
    'marks a %s: the note last in the blocks and [Sandbox] before the notification text',
    async (method) => {
      const args = {
        channel: 'C1',
        user: 'U1',
        ts: '1.1',
        text: 'Bundle changed',
        blocks: [section('✅ Bundle changed')],
      };
      if (method === 'chat.postMessage') await client.chat.postMessage(args);
      if (method === 'chat.postEphemeral') await client.chat.postEphemeral(args);
      if (method === 'chat.update') await client.chat.update(args);
      const sent = lastArgs(method);
      expect(sent.text).toBe('[Sandbox] Bundle changed');
      expect(sent.blocks).toEqual([section('✅ Bundle changed'), expect.anything()]);
      expect(JSON.stringify(sent.blocks)).toContain(JSON.stringify(SANDBOX_NOTE).slice(1, -1));
    },
  );

  it('prefixes a text-only message without giving it blocks, which would hide its text', async () => {
    await client.chat.postMessage({ channel: 'CAUDIT', text: '✅ provision succeeded', unfurl_links: false });
    expect(lastArgs('chat.postMessage')).toMatchObject({ text: '[Sandbox] ✅ provision succeeded' });
    expect(lastArgs('chat.postMessage').blocks).toBeUndefined();
  });

  it('leaves a message that already carries the mark as it is', async () => {
    const msg = badge({ text: 'Account', blocks: [section('card')] }, true);
    await client.chat.postMessage({ channel: 'C1', ...msg });
    expect(lastArgs('chat.postMessage')).toMatchObject({ text: '[Sandbox] Account' });
    expect(notes(lastArgs('chat.postMessage').blocks)).toBe(1);
  });

  it('puts the note first in a modal, on open and on every update, keeping block and action ids', async () => {
    const opened = await client.views.open({ trigger_id: '1.2.3', view: modal([input]) });
    await client.views.update({ view_id: opened.view?.id ?? '', view: modal([section('Saving…'), input]) });
    for (const method of ['views.open', 'views.update']) {
      const view = lastArgs(method).view as ModalView;
      expect(view.blocks[0]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: SANDBOX_NOTE }] });
      expect(view.blocks.at(-1)).toEqual(input);
      expect(view.title).toEqual({ type: 'plain_text', text: 'Provision a SIM' });
      expect(notes(view.blocks)).toBe(1);
    }
  });

  it('marks the comment of an uploaded file and leaves its bytes alone', async () => {
    const bytes = Buffer.from('mpn,state\r\n447700900123,ACTIVE\r\n');
    await client.files.uploadV2({
      channel_id: 'D1',
      file: bytes,
      filename: 'numbers.csv',
      initial_comment: 'Active numbers: 1 row',
    });
    const [upload] = slack.uploads;
    expect(upload?.initialComment).toBe('[Sandbox] Active numbers: 1 row');
    expect(upload?.bytes.equals(bytes)).toBe(true);
  });

  it("marks a message sent to a response_url (Bolt's respond), but not a deletion", async () => {
    const url = slack.responseUrl('reply');
    const post = (body: object) =>
      mark(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post({ text: 'Open ports: 6 ports', blocks: [section('ports')], response_type: 'in_channel' });
    await post({ delete_original: true });
    const [reply, deletion] = slack.responsesTo(url);
    expect(reply?.body).toMatchObject({ text: '[Sandbox] Open ports: 6 ports', response_type: 'in_channel' });
    expect(notes(reply?.body.blocks)).toBe(1);
    expect(deletion?.body).toEqual({ delete_original: true });
  });

  it('changes nothing in calls that show nothing to people', async () => {
    await client.conversations.open({ users: 'U1' });
    expect(lastArgs('conversations.open')).toEqual(expect.objectContaining({ users: 'U1' }));
    expect(JSON.stringify(slack.calls)).not.toContain('Sandbox');
  });
});

describe('badgeView', () => {
  it('does nothing outside the sandbox, or to a view already marked or already full', () => {
    const view = modal([input]);
    expect(badgeView(view, false)).toBe(view);
    const marked = badgeView(view, true);
    expect(badgeView(marked, true)).toBe(marked);
    const full = modal(Array.from({ length: 100 }, (_, i) => section(`row ${i}`)));
    expect(badgeView(full, true).blocks).toHaveLength(100);
  });
});
