import type { AddressInfo } from 'node:net';
import { App, type BlockAction, LogLevel, type SlashCommand, type ViewSubmitAction } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/slack-emulator/signed-requests.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { fieldValues, SlackDriver, selectValue } from './slack-requests.js';
import { waitFor } from './wait.js';

describe('state helpers', () => {
  it('builds view state values keyed by field name for block and action id', () => {
    expect(fieldValues({ email: 'a@b.c', note: undefined })).toEqual({
      email: { email: { type: 'plain_text_input', value: 'a@b.c' } },
      note: { note: { type: 'plain_text_input', value: null } },
    });
    expect(fieldValues({ bundle: 'B1', plan: undefined }, 'static_select')).toEqual({
      bundle: { bundle: selectValue('B1') },
      plan: { plan: { type: 'static_select', selected_option: null } },
    });
    expect(selectValue('B1', 'Bundle one')).toEqual({
      type: 'static_select',
      selected_option: { value: 'B1', text: { type: 'plain_text', text: 'Bundle one', emoji: true } },
    });
  });
});

describe('SlackDriver against a real Bolt app', () => {
  const signingSecret = 'test-signing-secret';
  let fake: FakeSlack;
  let app: App;
  let driver: SlackDriver;
  let url: string;
  const commands: SlashCommand[] = [];
  const actions: BlockAction[] = [];
  const submissions: ViewSubmitAction[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack();
    app = new App({
      token: 'xoxb-test',
      signingSecret,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/onsim', async ({ command, ack, respond }) => {
      commands.push(command);
      await ack();
      await respond({ response_type: 'ephemeral', text: `got ${command.text}` });
    });
    app.action<BlockAction>(/.*/, async ({ body, ack, respond }) => {
      actions.push(body);
      await ack();
      if (body.response_url) await respond({ replace_original: true, text: 'pressed' });
    });
    app.view<ViewSubmitAction>('provision', async ({ body, ack }) => {
      submissions.push(body);
      await ack({ response_action: 'errors', errors: { email: 'Not an email address' } });
    });
    app.shortcut('new_sim', async ({ ack }) => {
      await ack();
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    driver = new SlackDriver({ url, signingSecret, fake });
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    commands.length = 0;
    actions.length = 0;
    submissions.length = 0;
  });

  it('sends a slash command with every field Slack sends, and the response_url reaches the fake', async () => {
    const res = await driver.command('account 447700900123', { user: 'U42', channel: 'C9' });

    expect(res.status).toBe(200);
    expect(commands).toHaveLength(1);
    const [command] = commands;
    expect(Object.keys(command ?? {}).sort()).toEqual(
      [
        'api_app_id',
        'channel_id',
        'channel_name',
        'command',
        'is_enterprise_install',
        'response_url',
        'team_domain',
        'team_id',
        'text',
        'token',
        'trigger_id',
        'user_id',
        'user_name',
      ].sort(),
    );
    expect(command).toMatchObject({
      command: '/onsim',
      text: 'account 447700900123',
      user_id: 'U42',
      channel_id: 'C9',
      team_id: 'T1',
      is_enterprise_install: 'false',
      response_url: res.responseUrl,
      trigger_id: res.triggerId,
    });
    const response = await waitFor(() => fake.responsesTo(res.responseUrl).at(0), {
      what: 'the command reply on its response_url',
    });
    expect(response.body).toMatchObject({ response_type: 'ephemeral', text: 'got account 447700900123' });
  });

  it('gives every command its own trigger_id and response_url', async () => {
    const a = await driver.command('help');
    const b = await driver.command('help');
    expect(a.triggerId).not.toBe(b.triggerId);
    expect(a.responseUrl).not.toBe(b.responseUrl);
  });

  it('sends a button press in a message with its value, message and response_url', async () => {
    const res = await driver.blockAction({
      actionId: 'approve',
      blockId: 'port_actions',
      value: 'port-7',
      message: { ts: '1700000000.000100', text: 'Port request' },
    });

    expect(res.status).toBe(200);
    expect(actions[0]).toMatchObject({
      type: 'block_actions',
      user: { id: 'U123' },
      channel: { id: 'C123' },
      container: { type: 'message', message_ts: '1700000000.000100' },
      message: { ts: '1700000000.000100', text: 'Port request' },
      actions: [{ type: 'button', action_id: 'approve', block_id: 'port_actions', value: 'port-7' }],
      trigger_id: res.triggerId,
    });
    const response = await waitFor(() => fake.responsesTo(res.responseUrl ?? '').at(0), {
      what: 'the action reply',
    });
    expect(response.body).toMatchObject({ replace_original: true, text: 'pressed' });
  });

  it('sends a select choice inside a modal with the view the bot opened', async () => {
    const opened = await app.client.views.open({
      trigger_id: 't',
      view: {
        type: 'modal',
        callback_id: 'provision',
        private_metadata: '{"step":1}',
        title: { type: 'plain_text', text: 'New SIM' },
        blocks: [],
      },
    });
    const viewId = opened.view?.id ?? '';

    await driver.blockAction({
      actionId: 'bundle',
      selectedOption: { value: 'B5', text: '5 GB' },
      view: { id: viewId, callback_id: 'provision' },
    });

    expect(actions[0]).toMatchObject({
      container: { type: 'view', view_id: viewId },
      view: { id: viewId, callback_id: 'provision', private_metadata: '{"step":1}' },
      actions: [{ type: 'static_select', action_id: 'bundle', selected_option: { value: 'B5' } }],
    });
    expect(actions[0]?.response_url).toBeUndefined();
  });

  it('submits a view with the given state values and returns the ack body as JSON', async () => {
    const opened = await app.client.views.open({
      trigger_id: 't',
      view: {
        type: 'modal',
        callback_id: 'provision',
        private_metadata: 'meta-1',
        title: { type: 'plain_text', text: 'New SIM' },
        blocks: [],
      },
    });

    const res = await driver.viewSubmission({
      user: 'U7',
      view: { callback_id: 'provision', values: fieldValues({ email: 'not-an-email' }) },
    });

    expect(res.json).toEqual({ response_action: 'errors', errors: { email: 'Not an email address' } });
    expect(submissions[0]).toMatchObject({
      type: 'view_submission',
      user: { id: 'U7' },
      view: {
        id: opened.view?.id,
        callback_id: 'provision',
        private_metadata: 'meta-1',
        state: { values: { email: { email: { type: 'plain_text_input', value: 'not-an-email' } } } },
      },
    });
  });

  it('sends a global shortcut the app acknowledges', async () => {
    const res = await driver.shortcut('new_sim');
    expect(res.status).toBe(200);
  });

  it('is refused by the app when the signature is wrong', async () => {
    const body = 'command=%2Fonsim&text=help';
    const res = await driver.raw(body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...signRequest('another-secret', body),
    });
    expect(res.status).toBe(401);
    expect(commands).toEqual([]);
  });

  it('is refused by the app when the timestamp is older than five minutes', async () => {
    const body = 'command=%2Fonsim&text=help';
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await driver.raw(body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...signRequest(signingSecret, body, stale),
    });
    expect(res.status).toBe(401);
    expect(commands).toEqual([]);
  });
});
