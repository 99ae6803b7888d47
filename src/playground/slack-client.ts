/**
 * The Slack side of the playground: turns what a person does in the web UI into the signed
 * requests Slack would send the bot (slash commands, block_actions, view_submission, view_closed,
 * block_suggestion, app_home_opened), and applies the bot's acks as Slack does. Everything sent
 * and answered is kept, in order, for the inspector.
 */
import { randomUUID } from 'node:crypto';
import type { SlackEmulator, StoredView } from '../slack-emulator/emulator.js';
import { isRecord, str } from '../slack-emulator/http.js';
import { FORM_CONTENT_TYPE, signRequest, slashCommandFields } from '../slack-emulator/signed-requests.js';
import { BOT, TEAM_ID } from '../slack-emulator/workspace.js';

const APP_ID = 'A0PLAYGRND';
const TOKEN = 'playground-verification-token';

export interface TranscriptEntry {
  seq: number;
  at: string;
  /** `to bot`: what Slack sent the bot. `web api`: what the bot asked of Slack. */
  direction: 'to bot' | 'web api';
  kind: string;
  request: unknown;
  status: number;
  /** The bot's ack body, or the Web API's answer. */
  response: unknown;
}

export interface Source {
  /** A message: the channel and ts of the message the element is in. */
  channel?: string;
  ts?: string;
  /** A modal or the Home tab. */
  viewId?: string;
}

export interface ActionInput {
  user: string;
  source: Source;
  /** The element's payload as Slack sends it (type, action_id, block_id, value / selected_*). */
  action: Record<string, unknown>;
  /** state.values of the surface (inputs in a modal, or a message's interactive elements). */
  values?: Record<string, unknown>;
}

export interface SlackClientOptions {
  slack: SlackEmulator;
  /** The bot's receiver, e.g. http://127.0.0.1:PORT/slack/events. */
  botUrl: string;
  signingSecret: string;
  /** Told about every new transcript entry. */
  onEntry?: (entry: TranscriptEntry) => void;
}

const parse = (text: string): unknown => {
  if (!text) return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

export function createSlackClient(opts: SlackClientOptions) {
  const { slack } = opts;
  const transcript: TranscriptEntry[] = [];
  let seq = 0;
  const record = (entry: Omit<TranscriptEntry, 'seq' | 'at'>) => {
    seq += 1;
    const full = { seq, at: new Date().toISOString(), ...entry };
    transcript.push(full);
    opts.onEntry?.(full);
  };
  slack.subscribe((event) => {
    if (event.type !== 'call') return;
    const { method, args, status = 200, answer } = event.call;
    record({ direction: 'web api', kind: method, request: args, status, response: answer });
  });

  const post = async (kind: string, body: string, shown: unknown, contentType: string) => {
    const headers = { 'Content-Type': contentType, ...signRequest(opts.signingSecret, body) };
    let status = 0;
    let response: unknown = '';
    try {
      const res = await fetch(opts.botUrl, { method: 'POST', headers, body });
      status = res.status;
      response = parse(await res.text());
    } catch (err) {
      response = `could not reach the bot: ${err instanceof Error ? err.message : String(err)}`;
    }
    record({ direction: 'to bot', kind, request: shown, status, response });
    return { status, response };
  };
  const sendForm = (kind: string, fields: Record<string, string>) =>
    post(kind, new URLSearchParams(fields).toString(), fields, FORM_CONTENT_TYPE);
  const sendPayload = (kind: string, payload: Record<string, unknown>) =>
    post(
      kind,
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      payload,
      FORM_CONTENT_TYPE,
    );

  const person = (id: string) => {
    const name = slack.workspace.people.get(id)?.name ?? id.toLowerCase();
    return { id, username: name, name, team_id: TEAM_ID };
  };
  const envelope = (user: string) => ({
    team: { id: TEAM_ID, domain: 'playground' },
    user: person(user),
    api_app_id: APP_ID,
    token: TOKEN,
    trigger_id: slack.issueTrigger(user),
    enterprise: null,
    is_enterprise_install: false,
  });
  const channelRef = (id: string) => {
    const channel = slack.workspace.channels.get(id);
    return { id, name: channel?.kind === 'im' ? 'directmessage' : (channel?.name ?? id) };
  };
  /** A view as Slack echoes it in payloads: with the person's current input state. */
  const viewPayload = (view: StoredView, values: Record<string, unknown> = {}) => {
    const { user: _user, errors: _errors, ...rest } = view;
    return { ...rest, state: { values } };
  };
  /** Shows an ack body the way Slack does: a slash command's reply, ephemeral unless in_channel. */
  const showAck = (user: string, channel: string, status: number, response: unknown) => {
    if (status !== 200) {
      const text = `/onsim failed with the error "${status === 404 ? 'operation_timeout' : 'dispatch_failed'}"`;
      slack.addMessage({ channel, user: 'USLACKBOT', text, blocks: [], ephemeralTo: user });
      return;
    }
    if (response === '' || response === undefined) return;
    const body = isRecord(response) ? response : { text: String(response) };
    const ephemeral = str(body.response_type) !== 'in_channel';
    slack.addMessage({
      channel,
      user: BOT.user_id,
      text: str(body.text) ?? '',
      blocks: Array.isArray(body.blocks) ? body.blocks : [],
      ephemeralTo: ephemeral ? user : undefined,
    });
  };

  return {
    transcript,

    async command(user: string, channel: string, command: string, text: string) {
      const env = envelope(user);
      const fields = slashCommandFields({
        token: TOKEN,
        teamId: TEAM_ID,
        teamDomain: 'playground',
        channelId: channel,
        channelName: channelRef(channel).name,
        userId: user,
        userName: env.user.name,
        command,
        text,
        appId: APP_ID,
        responseUrl: slack.responseUrl('command', { channel, user }),
        triggerId: env.trigger_id,
      });
      const { status, response } = await sendForm('slash_command', fields);
      showAck(user, channel, status, response);
      return { status, response };
    },

    async blockAction(input: ActionInput) {
      const { user, source } = input;
      const action = { ...input.action, action_ts: nowTs() };
      const view = source.viewId ? slack.currentView(source.viewId) : undefined;
      const message =
        source.channel && source.ts ? slack.workspace.find(source.channel, source.ts) : undefined;
      const base = { type: 'block_actions', ...envelope(user), actions: [action] };
      if (view) {
        return sendPayload('block_actions', {
          ...base,
          container: { type: 'view', view_id: view.id },
          view: viewPayload(view, input.values),
        });
      }
      const channel = source.channel ?? '';
      return sendPayload('block_actions', {
        ...base,
        container: {
          type: 'message',
          message_ts: source.ts,
          channel_id: channel,
          is_ephemeral: !!message?.ephemeralTo,
        },
        channel: channelRef(channel),
        message: message && {
          type: 'message',
          user: message.user,
          bot_id: message.user === BOT.user_id ? BOT.bot_id : undefined,
          text: message.text,
          blocks: message.blocks,
          ts: message.ts,
        },
        state: { values: input.values ?? {} },
        response_url: slack.responseUrl('action', { channel, user, messageTs: source.ts }),
      });
    },

    async viewSubmission(user: string, viewId: string, values: Record<string, unknown>) {
      const view = slack.currentView(viewId);
      if (!view) return { status: 404, response: 'no such view' };
      const result = await sendPayload('view_submission', {
        type: 'view_submission',
        ...envelope(user),
        view: viewPayload(view, values),
        response_urls: [],
      });
      // A failed or late ack leaves the modal open, as Slack does ("We had some trouble connecting").
      if (result.status === 200) slack.applyViewAck(user, viewId, result.response);
      return result;
    },

    async viewClosed(user: string, viewId: string, values: Record<string, unknown>) {
      const view = slack.currentView(viewId);
      slack.closeView(user, viewId);
      if (!view?.notify_on_close) return { status: 200, response: '' };
      return sendPayload('view_closed', {
        type: 'view_closed',
        ...envelope(user),
        view: viewPayload(view, values),
        is_cleared: false,
      });
    },

    async blockSuggestion(input: ActionInput & { value: string }) {
      const view = input.source.viewId ? slack.currentView(input.source.viewId) : undefined;
      const { trigger_id: _trigger, ...env } = envelope(input.user);
      return sendPayload('block_suggestion', {
        type: 'block_suggestion',
        ...env,
        action_id: input.action.action_id,
        block_id: input.action.block_id,
        value: input.value,
        container: view
          ? { type: 'view', view_id: view.id }
          : { type: 'message', channel_id: input.source.channel },
        view: view && viewPayload(view, input.values),
      });
    },

    /** A global shortcut (the ⚡ menu), or a message shortcut (a message's ⋯ menu). */
    async shortcut(user: string, callbackId: string, message?: { channel: string; ts: string }) {
      const env = envelope(user);
      const common = {
        token: TOKEN,
        action_ts: nowTs(),
        team: env.team,
        user: env.user,
        is_enterprise_install: false,
        enterprise: null,
        callback_id: callbackId,
        trigger_id: env.trigger_id,
      };
      if (!message) return sendPayload('shortcut', { type: 'shortcut', ...common });
      const found = slack.workspace.find(message.channel, message.ts);
      return sendPayload('message_action', {
        type: 'message_action',
        ...common,
        message_ts: message.ts,
        channel: channelRef(message.channel),
        message: found && {
          type: 'message',
          user: found.user,
          text: found.text,
          blocks: found.blocks,
          ts: found.ts,
        },
        response_url: slack.responseUrl('shortcut', { channel: message.channel, user }),
      });
    },

    async homeOpened(user: string) {
      const dm = slack.workspace.dmWith(user);
      const body = {
        token: TOKEN,
        team_id: TEAM_ID,
        api_app_id: APP_ID,
        event: { type: 'app_home_opened', user, channel: dm.id, tab: 'home', event_ts: nowTs() },
        type: 'event_callback',
        event_id: `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [
          { team_id: TEAM_ID, user_id: BOT.user_id, is_bot: true, is_enterprise_install: false },
        ],
      };
      return post('event_callback', JSON.stringify(body), body, 'application/json');
    },
  };
}

export type SlackClient = ReturnType<typeof createSlackClient>;

let lastTs = 0;
/** A message ts for something Slack itself shows (acks, errors): unique and increasing. */
function nowTs(): string {
  const micros = Math.max(Date.now() * 1000, lastTs + 1);
  lastTs = micros;
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}
