/**
 * Signed requests to the bot's HTTP receiver, shaped like the ones Slack sends: slash commands as
 * flat form fields, interactivity as a form field `payload=<json>`, both with Slack's signature.
 */
import { randomBytes } from 'node:crypto';
import {
  signedFormHeaders,
  signRequest,
  slashCommandBody,
} from '../../src/slack-emulator/signed-requests.js';
import type { FakeSlack } from './fake-slack.js';

export interface DriverResult {
  status: number;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
}

export interface CommandResult extends DriverResult {
  responseUrl: string;
  triggerId: string;
}

export interface InteractionResult extends DriverResult {
  /** Present for interactions that carry one (message actions). */
  responseUrl?: string;
  triggerId: string;
}

export type InputKind =
  | 'plain_text_input'
  | 'email_text_input'
  | 'url_text_input'
  | 'number_input'
  | 'static_select';

/** A static_select's state as Slack reports it in view.state.values or in an action. */
export function selectValue(value: string, text: string = value) {
  return {
    type: 'static_select',
    selected_option: { text: { type: 'plain_text', text, emoji: true }, value },
  };
}

/**
 * `view.state.values` for inputs whose block_id and action_id are both the field name (the project's
 * convention). An undefined value is an empty input: Slack sends `value: null` / `selected_option: null`.
 */
export function fieldValues(
  map: Record<string, string | undefined>,
  kind: InputKind = 'plain_text_input',
): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const [field, value] of Object.entries(map)) {
    const state =
      kind === 'static_select'
        ? value === undefined
          ? { type: kind, selected_option: null }
          : selectValue(value)
        : { type: kind, value: value ?? null };
    values[field] = { [field]: state };
  }
  return values;
}

export interface DriverOptions {
  /** The receiver endpoint, e.g. `http://127.0.0.1:3000/slack/events`. */
  url: string;
  signingSecret: string;
  fake: FakeSlack;
  teamId?: string;
}

export interface BlockActionOptions {
  user?: string;
  channel?: string;
  actionId: string;
  /** Defaults to `actionId`. */
  blockId?: string;
  value?: string;
  selectedOption?: { value: string; text?: string };
  message?: { ts: string; blocks?: unknown[]; text?: string };
  view?: { id: string; callback_id: string; private_metadata?: string; state?: unknown };
  container?: unknown;
}

export interface ViewSubmissionOptions {
  user?: string;
  view: {
    /** Defaults to the id of the view with this callback_id that the bot last opened or updated on the fake. */
    id?: string;
    callback_id: string;
    /** Defaults to that view's private_metadata. */
    private_metadata?: string;
    values: Record<string, Record<string, unknown>>;
  };
}

const DEFAULT_USER = 'U123';
const DEFAULT_CHANNEL = 'C123';
const APP_ID = 'A1';
const VERIFICATION_TOKEN = 'verification-token';

export class SlackDriver {
  private readonly teamId: string;
  private triggers = 0;
  private events = 0;

  constructor(private readonly opts: DriverOptions) {
    this.teamId = opts.teamId ?? 'T1';
  }

  /** A slash command, with every field Slack sends, in Slack's order. */
  async command(
    text: string,
    opts: { user?: string; channel?: string; command?: string } = {},
  ): Promise<CommandResult> {
    const user = opts.user ?? DEFAULT_USER;
    const channel = opts.channel ?? DEFAULT_CHANNEL;
    const responseUrl = this.opts.fake.responseUrl('command');
    const triggerId = this.triggerId();
    const body = slashCommandBody({
      token: VERIFICATION_TOKEN,
      teamId: this.teamId,
      teamDomain: 'test',
      channelId: channel,
      channelName: channel.startsWith('D') ? 'directmessage' : 'general',
      userId: user,
      userName: user.toLowerCase(),
      command: opts.command ?? '/onsim',
      text,
      appId: APP_ID,
      responseUrl,
      triggerId,
    });
    return { ...(await this.send(body)), responseUrl, triggerId };
  }

  /** A button press (or a static_select choice, with `selectedOption`) in a message or a modal. */
  async blockAction(opts: BlockActionOptions): Promise<InteractionResult> {
    const channel = opts.channel ?? DEFAULT_CHANNEL;
    const triggerId = this.triggerId();
    const inMessage = opts.view === undefined;
    const responseUrl = inMessage ? this.opts.fake.responseUrl('action') : undefined;
    const actionTs = (Date.now() / 1000).toFixed(6);
    const common = { action_id: opts.actionId, block_id: opts.blockId ?? opts.actionId, action_ts: actionTs };
    const action = opts.selectedOption
      ? { ...selectValue(opts.selectedOption.value, opts.selectedOption.text), ...common }
      : { type: 'button', ...common, text: { type: 'plain_text', text: opts.actionId }, value: opts.value };
    const container =
      opts.container ??
      (opts.view
        ? { type: 'view', view_id: opts.view.id }
        : { type: 'message', message_ts: opts.message?.ts, channel_id: channel, is_ephemeral: false });
    const payload = {
      type: 'block_actions',
      ...this.envelope(opts.user, triggerId),
      container,
      channel: inMessage
        ? { id: channel, name: channel.startsWith('D') ? 'directmessage' : 'general' }
        : undefined,
      message: opts.message && {
        type: 'message',
        user: 'UBOT',
        bot_id: 'BBOT',
        text: opts.message.text ?? '',
        blocks: opts.message.blocks ?? [],
        ts: opts.message.ts,
      },
      view: opts.view && this.view({ ...this.knownView(opts.view.id), state: { values: {} }, ...opts.view }),
      state: inMessage ? { values: {} } : undefined,
      response_url: responseUrl,
      actions: [action],
    };
    return { ...(await this.sendPayload(payload)), responseUrl, triggerId };
  }

  /** A modal submission; `values` becomes `view.state.values` as given. */
  async viewSubmission(opts: ViewSubmissionOptions): Promise<InteractionResult> {
    const { values, ...view } = opts.view;
    const opened = this.opts.fake.currentView(view.id ?? view.callback_id);
    const triggerId = this.triggerId();
    const payload = {
      type: 'view_submission',
      ...this.envelope(opts.user, triggerId),
      view: this.view({
        ...this.knownView(opened?.id),
        ...view,
        id: view.id ?? opened?.id ?? 'VSUBMITTED',
        state: { values },
      }),
      response_urls: [],
    };
    return { ...(await this.sendPayload(payload)), triggerId };
  }

  /** A global shortcut. */
  async shortcut(callbackId: string, opts: { user?: string } = {}): Promise<InteractionResult> {
    const triggerId = this.triggerId();
    const user = opts.user ?? DEFAULT_USER;
    const payload = {
      type: 'shortcut',
      token: VERIFICATION_TOKEN,
      action_ts: (Date.now() / 1000).toFixed(6),
      team: { id: this.teamId, domain: 'test' },
      user: { id: user, username: user.toLowerCase(), team_id: this.teamId },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: callbackId,
      trigger_id: triggerId,
    };
    return { ...(await this.sendPayload(payload)), triggerId };
  }

  /** A message shortcut (`message_action`) on a message in a channel. */
  async messageShortcut(
    callbackId: string,
    opts: { user?: string; channel?: string; message: { text: string; ts?: string; blocks?: unknown[] } },
  ): Promise<CommandResult> {
    const triggerId = this.triggerId();
    const user = opts.user ?? DEFAULT_USER;
    const channel = opts.channel ?? DEFAULT_CHANNEL;
    const responseUrl = this.opts.fake.responseUrl('shortcut');
    const ts = opts.message.ts ?? '1700000000.000100';
    const payload = {
      type: 'message_action',
      token: VERIFICATION_TOKEN,
      action_ts: (Date.now() / 1000).toFixed(6),
      team: { id: this.teamId, domain: 'test' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: this.teamId },
      channel: { id: channel, name: channel.startsWith('D') ? 'directmessage' : 'general' },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: callbackId,
      trigger_id: triggerId,
      response_url: responseUrl,
      message_ts: ts,
      message: { type: 'message', user: 'UOTHER', ts, text: opts.message.text, blocks: opts.message.blocks },
    };
    return { ...(await this.sendPayload(payload)), responseUrl, triggerId };
  }

  /** An Events API delivery (JSON), e.g. `{ type: 'app_home_opened', user, tab: 'home' }`. */
  async event(event: Record<string, unknown>): Promise<DriverResult> {
    this.events += 1;
    const body = JSON.stringify({
      token: VERIFICATION_TOKEN,
      team_id: this.teamId,
      api_app_id: APP_ID,
      event: { event_ts: (Date.now() / 1000).toFixed(6), ...event },
      type: 'event_callback',
      event_id: `Ev${String(this.events).padStart(8, '0')}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: this.teamId, user_id: 'UBOT', is_bot: true }],
    });
    return this.post(body, {
      'Content-Type': 'application/json',
      ...signRequest(this.opts.signingSecret, body),
    });
  }

  /** Sends `body` with only these headers (not signed; fetch adds text/plain if no Content-Type): for signature tests. */
  raw(body: string, headers: Record<string, string>): Promise<DriverResult> {
    return this.post(body, headers);
  }

  private triggerId(): string {
    this.triggers += 1;
    return `${Date.now()}.${this.triggers}.${randomBytes(8).toString('hex')}`;
  }

  private envelope(userId: string | undefined, triggerId: string) {
    const user = userId ?? DEFAULT_USER;
    return {
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: this.teamId },
      api_app_id: APP_ID,
      token: VERIFICATION_TOKEN,
      trigger_id: triggerId,
      team: { id: this.teamId, domain: 'test' },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  /** What Slack would echo back of a view the bot showed through the fake. */
  private knownView(id: string | undefined): Record<string, unknown> {
    const shown = id === undefined ? undefined : this.opts.fake.currentView(id);
    if (!shown) return {};
    const { blocks = [], private_metadata = '', title, submit, close, external_id = '', hash } = shown;
    return { blocks, private_metadata, title, submit, close, external_id, hash };
  }

  private view(fields: Record<string, unknown> & { id: string }) {
    return {
      type: 'modal',
      team_id: this.teamId,
      app_id: APP_ID,
      bot_id: 'BBOT',
      blocks: [],
      private_metadata: '',
      hash: `${Math.floor(Date.now() / 1000)}.hash`,
      root_view_id: fields.id,
      previous_view_id: null,
      external_id: '',
      clear_on_close: false,
      notify_on_close: false,
      ...fields,
    };
  }

  private sendPayload(payload: unknown): Promise<DriverResult> {
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  private send(body: string): Promise<DriverResult> {
    return this.post(body, signedFormHeaders(this.opts.signingSecret, body));
  }

  private async post(body: string, headers: Record<string, string>): Promise<DriverResult> {
    const res = await fetch(this.opts.url, { method: 'POST', headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: text, json };
  }
}
