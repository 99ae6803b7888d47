/**
 * A Slack Web API emulator on a real HTTP server, spoken to by the real @slack/web-api WebClient
 * (`slackApiUrl: emulator.apiUrl`). It keeps a workspace (people, channels, messages, modals, Home
 * tabs), hosts upload URLs, files and response_urls, records every call with its answer, and can be
 * told to fail or to be slow. The test suite and the playground both run on it.
 *
 * `strict: true` enforces Slack's rules as Slack does (the playground); the default is lenient
 * (tests): unknown channels, triggers and view ids are accepted, nothing is rate limited.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { blockKitProblems, type Surface } from './block-kit-limits.js';
import { type Args, bool, isRecord, parseBody, readBody, reply, str } from './http.js';
import { ChannelRateLimiter, ResponseUrlBook, type ResponseUrlContext, TriggerBook } from './rules.js';
import {
  BOT,
  type Channel,
  type ChatMessage,
  type FileRef,
  TEAM_ID,
  Workspace,
  type WorkspaceSeed,
} from './workspace.js';

export type { Args } from './http.js';
export type { ResponseUrlContext } from './rules.js';
export type { Channel, ChatMessage, FileRef, Person, WorkspaceSeed } from './workspace.js';
export { BOT, TEAM_ID } from './workspace.js';

export interface RecordedCall {
  method: string;
  args: Args;
  headers: IncomingHttpHeaders;
  at: number;
  /** What the emulator answered (HTTP status and body). */
  status?: number;
  answer?: Args | string;
}

export interface RecordedResponse {
  id: string;
  body: Args;
  at: number;
}

export interface CompletedUpload {
  fileId: string;
  filename: string;
  title: string;
  altText?: string;
  channelId?: string;
  initialComment?: string;
  threadTs?: string;
  bytes: Buffer;
}

export interface SlackMessage {
  via: 'postMessage' | 'update' | 'postEphemeral' | 'response';
  channel?: string;
  user?: string;
  text: string;
  blocks: unknown[];
  ts?: string;
  threadTs?: string;
  responseType?: string;
  replaceOriginal?: boolean;
  deleteOriginal?: boolean;
}

/** `status` other than 200 answers with that HTTP status (429 gets `Retry-After`, default 1 s);
 * otherwise HTTP 200 `{ ok: false, error }`. `times` defaults to 1. */
export interface Failure {
  status?: number;
  retryAfter?: number;
  error?: string;
  times?: number;
}

/** A view as the emulator last returned it: the bot's view plus `id`, `hash`, `state`. */
export type StoredView = Args & {
  id: string;
  hash: string;
  /** Who sees it (unknown when opened with a trigger the emulator did not issue). */
  user?: string;
  /** Field errors from a `response_action: 'errors'` ack, by block_id. */
  errors?: Record<string, string>;
};

/** Something changed that a viewer of the workspace may want to redraw. */
export type EmulatorEvent =
  | { type: 'message'; message: ChatMessage }
  | { type: 'message_deleted'; channel: string; ts: string }
  | { type: 'views'; user: string }
  | { type: 'home'; user: string }
  | { type: 'channel'; channel: string }
  | { type: 'call'; call: RecordedCall }
  | { type: 'refused'; method: string; error: string; problems: string[] };

export interface EmulatorOptions {
  /** Enforce Slack's rules (see the module comment). Default false. */
  strict?: boolean;
  workspace?: WorkspaceSeed;
  now?: () => number;
}

export interface SlackEmulator {
  /** `http://127.0.0.1:<port>` (or the base set with `setBaseUrl`). */
  readonly url: string;
  /** `<url>/api/`, for `slackApiUrl`. */
  readonly apiUrl: string;
  readonly calls: RecordedCall[];
  readonly responses: RecordedResponse[];
  readonly uploads: CompletedUpload[];
  readonly workspace: Workspace;
  callsTo(method: string): RecordedCall[];
  /** A fresh response_url served by this emulator; `name` only makes the id readable. */
  responseUrl(name?: string, context?: ResponseUrlContext): string;
  responsesTo(responseUrl: string): RecordedResponse[];
  /** Messages posted, updated, posted ephemerally or sent to a response_url, in arrival order. */
  messages(): SlackMessage[];
  /** The view with this id, or else the one with this callback_id changed most recently. */
  currentView(idOrCallbackId: string): StoredView | undefined;
  /** The modals a person has open, bottom first. */
  viewStack(user: string): StoredView[];
  home(user: string): StoredView | undefined;
  /** Applies a view_submission ack (`response_action` errors/update/push/clear, or close). */
  applyViewAck(user: string, viewId: string, ack: unknown): void;
  /** The person closed a modal (Cancel or ×): it and everything above it go. */
  closeView(user: string, viewId: string): void;
  issueTrigger(user: string): string;
  /** A message someone other than the bot wrote (a person typing, Slack showing an ack). */
  addMessage(message: Omit<ChatMessage, 'ts'>): ChatMessage;
  /** Adds someone (the bot, usually) to a channel, as `/invite` does. */
  invite(channel: string, userId: string, by: string): void;
  file(id: string): { ref: FileRef; bytes: Buffer } | undefined;
  subscribe(listener: (event: EmulatorEvent) => void): () => void;
  setUsergroup(id: string, users: string[]): void;
  /** What `apps.connections.open` answers as the Socket Mode WebSocket URL (tests' fake Socket Mode). */
  setSocketModeUrl(url: string): void;
  /** Fields users.info reports for this user on top of a full member of the team (e.g. `{ is_restricted: true }`). */
  setUser(id: string, fields: Args): void;
  /** `method` is a Web API method, or `'upload'` (upload URLs) or `'response'` (response_urls). */
  failNext(method: string, failure?: Failure): void;
  setLatency(method: string, ms: number): void;
  /** Forgets calls, responses, uploads, messages, views, failures and latencies; keeps usergroups and users. */
  reset(): void;
  /** Serves a request for `/api/*`, `/upload/*`, `/respond/*` or `/files/*`; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** For an emulator mounted in another server: the base its URLs point at. */
  setBaseUrl(url: string): void;
  close(): Promise<void>;
}

/** The name the test suite knows it by. */
export type FakeSlack = SlackEmulator;

const MESSAGE_METHODS: Record<string, Surface> = {
  'chat.postMessage': 'message',
  'chat.update': 'message',
  'chat.postEphemeral': 'message',
  'views.open': 'modal',
  'views.push': 'modal',
  'views.update': 'modal',
  'views.publish': 'home',
};

const MAX_VIEW_STACK = 3;

const mimetypeOf = (filename: string): string => {
  const ext = filename.split('.').pop()?.toLowerCase();
  const known: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    csv: 'text/csv',
    txt: 'text/plain',
    json: 'application/json',
  };
  return known[ext ?? ''] ?? 'application/octet-stream';
};

export function createSlackEmulator(opts: EmulatorOptions = {}): SlackEmulator {
  const strict = opts.strict ?? false;
  const now = opts.now ?? Date.now;
  const workspace = new Workspace(opts.workspace);
  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const uploads: CompletedUpload[] = [];
  const messages: SlackMessage[] = [];
  const views = new Map<string, StoredView>();
  const stacks = new Map<string, string[]>();
  const homes = new Map<string, string>();
  const pendingFiles = new Map<string, { filename: string; altText?: string; bytes?: Buffer }>();
  const files = new Map<string, { ref: FileRef; bytes: Buffer }>();
  const usergroups = new Map<string, string[]>();
  const userFields = new Map<string, Args>();
  const failures = new Map<string, { failure: Failure; left: number }[]>();
  let socketModeUrl: string | undefined;
  const latencies = new Map<string, number>();
  const listeners = new Set<(event: EmulatorEvent) => void>();
  const triggers = new TriggerBook(now);
  const rates = new ChannelRateLimiter(now);
  const responseUrls = new ResponseUrlBook(now);
  let counter = 0;
  const seq = () => ++counter;
  const newId = (prefix: string) => `${prefix}${String(seq()).padStart(8, '0')}`;
  let base = '';

  const emit = (event: EmulatorEvent) => {
    for (const listener of listeners) listener(event);
  };

  let lastTs = 0;
  /** Slack's message ts: the time in seconds with microseconds, unique within the workspace. */
  const nextTs = () => {
    lastTs = Math.max(Math.floor(now() * 1000), lastTs + 100);
    return `${Math.floor(lastTs / 1e6)}.${String(lastTs % 1e6).padStart(6, '0')}`;
  };

  const note = (via: SlackMessage['via'], a: Args, ts?: string) => {
    messages.push({
      via,
      channel: str(a.channel),
      user: str(a.user),
      text: str(a.text) ?? '',
      blocks: Array.isArray(a.blocks) ? a.blocks : [],
      ts,
      threadTs: str(a.thread_ts),
      responseType: str(a.response_type),
      replaceOriginal: bool(a.replace_original),
      deleteOriginal: bool(a.delete_original),
    });
  };

  const addMessage = (m: Omit<ChatMessage, 'ts'> & { ts?: string }): ChatMessage => {
    const message = workspace.add({ ...m, ts: m.ts ?? nextTs() });
    emit({ type: 'message', message });
    return message;
  };

  const changeMessage = (message: ChatMessage, a: Args) => {
    if (a.text !== undefined) message.text = str(a.text) ?? '';
    if (a.blocks !== undefined) message.blocks = Array.isArray(a.blocks) ? a.blocks : [];
    message.edited = true;
    emit({ type: 'message', message });
  };

  const deleteMessage = (channel: string, ts: string) => {
    if (workspace.remove(channel, ts)) emit({ type: 'message_deleted', channel, ts });
  };

  /** The channel a bot call names, or the error Slack answers for it. */
  const channelFor = (id: string | undefined): Channel | { error: string } => {
    if (!id) return { error: 'channel_not_found' };
    // Posting to a user id posts in the bot's DM with them.
    if (/^[UW]/.test(id)) return workspace.dmWith(id);
    const channel = workspace.channels.get(id) ?? (strict ? undefined : workspace.adopt(id));
    if (!channel) return { error: 'channel_not_found' };
    // chat:write.public lets the bot post in public channels it is not in; never in private ones.
    if (channel.kind !== 'public' && !channel.members.has(BOT.user_id)) return { error: 'channel_not_found' };
    return channel;
  };

  const saveView = (id: string, view: unknown, user: string | undefined): StoredView => {
    const previous = views.get(id);
    const stored: StoredView = {
      ...(isRecord(view) ? view : {}),
      id,
      team_id: TEAM_ID,
      app_id: 'A1',
      bot_id: BOT.bot_id,
      hash: `${Math.floor(now() / 1000)}.${seq()}`,
      state: { values: {} },
      root_view_id: previous?.root_view_id ?? id,
      previous_view_id: previous?.previous_view_id ?? null,
      user: user ?? previous?.user,
    };
    views.delete(id);
    views.set(id, stored);
    if (stored.user) emit({ type: stored.type === 'home' ? 'home' : 'views', user: stored.user });
    return stored;
  };

  const stackOf = (user: string) => {
    let stack = stacks.get(user);
    if (!stack) {
      stack = [];
      stacks.set(user, stack);
    }
    return stack;
  };

  const currentView = (key: string) =>
    views.get(key) ?? [...views.values()].reverse().find((view) => view.callback_id === key);

  /** Runs the configured latency, then answers the configured failure if one is due. */
  const interfere = async (
    name: string,
  ): Promise<{ status: number; body: Args; headers: Record<string, string> } | null> => {
    const ms = latencies.get(name);
    if (ms) await sleep(ms);
    const queue = failures.get(name);
    const next = queue?.[0];
    if (!queue || !next) return null;
    next.left -= 1;
    if (next.left <= 0) queue.shift();
    const { status = 200, error, retryAfter = status === 429 ? 1 : undefined } = next.failure;
    const headers: Record<string, string> =
      retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
    const fallback = status === 429 ? 'ratelimited' : status === 200 ? 'fatal_error' : 'internal_error';
    return { status, body: { ok: false, error: error ?? fallback }, headers };
  };

  const refuseInvalid = (method: string, a: Args): Args | null => {
    const surface = MESSAGE_METHODS[method];
    if (!strict || !surface) return null;
    const problems =
      surface === 'message'
        ? a.blocks === undefined
          ? []
          : blockKitProblems('message', {
              blocks: Array.isArray(a.blocks) ? a.blocks : [a.blocks],
              text: str(a.text),
            })
        : blockKitProblems(surface, { view: a.view });
    if (problems.length === 0) return null;
    emit({ type: 'refused', method, error: 'invalid_blocks', problems });
    return surface === 'message'
      ? { ok: false, error: 'invalid_blocks', errors: problems }
      : {
          ok: false,
          error: 'invalid_arguments',
          response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
        };
  };

  const completeUploads = (a: Args): Args => {
    const list = (Array.isArray(a.files) ? a.files : []).filter(isRecord);
    // Slack discards uploads whose bytes never arrived; the emulator says so instead of inventing a file.
    if (list.length === 0 || list.some((f) => !pendingFiles.get(str(f.id) ?? '')?.bytes)) {
      return { ok: false, error: 'file_not_found' };
    }
    const channelId = str(a.channel_id);
    const channel = channelId === undefined ? undefined : channelFor(channelId);
    if (channel && 'error' in channel) return { ok: false, error: channel.error };
    const where = {
      channelId: channel?.id ?? channelId,
      initialComment: str(a.initial_comment),
      threadTs: str(a.thread_ts),
    };
    const refs: FileRef[] = [];
    const completed = list.map((f) => {
      const fileId = str(f.id) ?? '';
      const { filename = '', altText, bytes = Buffer.alloc(0) } = pendingFiles.get(fileId) ?? {};
      pendingFiles.delete(fileId);
      const title = str(f.title) ?? filename;
      uploads.push({ fileId, filename, title, altText, ...where, bytes });
      const ref: FileRef = {
        id: fileId,
        name: filename,
        title,
        mimetype: mimetypeOf(filename),
        size: bytes.length,
        url: `${base}/files/${fileId}/${encodeURIComponent(filename)}`,
        altText,
      };
      files.set(fileId, { ref, bytes });
      refs.push(ref);
      return { id: fileId, title, name: filename, mimetype: ref.mimetype, url_private: ref.url };
    });
    if (channel) {
      addMessage({
        channel: channel.id,
        user: BOT.user_id,
        text: where.initialComment ?? '',
        blocks: [],
        threadTs: where.threadTs,
        files: refs,
      });
    }
    return { ok: true, files: completed };
  };

  const userInfo = (id: string) => {
    const person = workspace.people.get(id);
    const name = person?.name ?? id.toLowerCase();
    const realName = person?.realName ?? `User ${id}`;
    const profile = { real_name: realName, display_name: name, email: `${name}@example.com` };
    return {
      id,
      team_id: TEAM_ID,
      name,
      real_name: realName,
      is_bot: id === BOT.user_id,
      tz: 'Europe/London',
      profile,
      ...userFields.get(id),
    };
  };

  const answer = (
    method: string,
    a: Args,
  ): { body: Args; status?: number; headers?: Record<string, string> } => {
    const refused = refuseInvalid(method, a);
    if (refused) return { body: refused };
    switch (method) {
      case 'apps.connections.open':
        return {
          body: socketModeUrl ? { ok: true, url: socketModeUrl } : { ok: false, error: 'invalid_auth' },
        };
      case 'auth.test':
        return {
          body: {
            ok: true,
            url: 'https://playground.slack.test/',
            team: 'Playground',
            team_id: TEAM_ID,
            user: BOT.name,
            ...BOT,
          },
        };
      case 'chat.postMessage': {
        const channel = channelFor(str(a.channel));
        if ('error' in channel) return { body: { ok: false, error: channel.error } };
        if (strict) {
          const wait = rates.take(channel.id);
          if (wait > 0)
            return {
              status: 429,
              body: { ok: false, error: 'ratelimited' },
              headers: { 'retry-after': String(wait) },
            };
        }
        const threadTs = str(a.thread_ts);
        const message = addMessage({
          channel: channel.id,
          user: BOT.user_id,
          text: str(a.text) ?? '',
          blocks: Array.isArray(a.blocks) ? a.blocks : [],
          threadTs,
        });
        note('postMessage', a, message.ts);
        const shown = {
          user: BOT.user_id,
          bot_id: BOT.bot_id,
          text: a.text ?? '',
          blocks: a.blocks,
          ts: message.ts,
        };
        return {
          body: {
            ok: true,
            channel: channel.id,
            ts: message.ts,
            message: { type: 'message', ...shown, thread_ts: a.thread_ts },
          },
        };
      }
      case 'chat.update': {
        const channel = channelFor(str(a.channel));
        if ('error' in channel) return { body: { ok: false, error: channel.error } };
        const message = workspace.find(channel.id, str(a.ts) ?? '');
        if (!message && strict) return { body: { ok: false, error: 'message_not_found' } };
        if (message) changeMessage(message, a);
        note('update', a, str(a.ts));
        return {
          body: { ok: true, channel: a.channel, ts: a.ts, message: { text: a.text ?? '', blocks: a.blocks } },
        };
      }
      case 'chat.delete': {
        const channel = channelFor(str(a.channel));
        if ('error' in channel) return { body: { ok: false, error: channel.error } };
        if (!workspace.find(channel.id, str(a.ts) ?? '') && strict)
          return { body: { ok: false, error: 'message_not_found' } };
        deleteMessage(channel.id, str(a.ts) ?? '');
        return { body: { ok: true, channel: a.channel, ts: a.ts } };
      }
      case 'chat.postEphemeral': {
        const channel = channelFor(str(a.channel));
        if ('error' in channel) return { body: { ok: false, error: channel.error } };
        const user = str(a.user) ?? '';
        if (strict && !channel.members.has(user))
          return { body: { ok: false, error: 'user_not_in_channel' } };
        const message = addMessage({
          channel: channel.id,
          user: BOT.user_id,
          text: str(a.text) ?? '',
          blocks: Array.isArray(a.blocks) ? a.blocks : [],
          threadTs: str(a.thread_ts),
          ephemeralTo: user,
        });
        note('postEphemeral', a, message.ts);
        return { body: { ok: true, message_ts: message.ts } };
      }
      case 'views.open': {
        const trigger = triggers.use(str(a.trigger_id) ?? str(a.interactivity_pointer), strict);
        if (!trigger.ok) return { body: triggerError(trigger) };
        const view = saveView(newId('V'), a.view, trigger.user);
        if (trigger.user) {
          stacks.set(trigger.user, [view.id]);
          emit({ type: 'views', user: trigger.user });
        }
        return { body: { ok: true, view: publicView(view) } };
      }
      case 'views.push': {
        const trigger = triggers.use(str(a.trigger_id) ?? str(a.interactivity_pointer), strict);
        if (!trigger.ok) return { body: triggerError(trigger) };
        const stack = trigger.user ? stackOf(trigger.user) : undefined;
        if (stack && stack.length === 0 && strict)
          return {
            body: {
              ok: false,
              error: 'invalid_arguments',
              response_metadata: { messages: ['[ERROR] no modal is open to push onto'] },
            },
          };
        if (stack && stack.length >= MAX_VIEW_STACK)
          return { body: { ok: false, error: 'push_limit_reached' } };
        const id = newId('V');
        const view = saveView(id, a.view, trigger.user);
        if (stack) {
          view.previous_view_id = stack.at(-1) ?? null;
          view.root_view_id = stack[0] ?? id;
          stack.push(id);
          emit({ type: 'views', user: trigger.user ?? '' });
        }
        return { body: { ok: true, view: publicView(view) } };
      }
      case 'views.update': {
        const byExternal = [...views.values()].find((v) => a.external_id && v.external_id === a.external_id);
        const known = str(a.view_id) ? views.get(str(a.view_id) ?? '') : byExternal;
        if (!known && strict) return { body: { ok: false, error: 'not_found' } };
        if (known && str(a.hash) && str(a.hash) !== known.hash)
          return { body: { ok: false, error: 'hash_conflict' } };
        const id = known?.id ?? str(a.view_id) ?? newId('V');
        return { body: { ok: true, view: publicView(saveView(id, a.view, known?.user)) } };
      }
      case 'views.publish': {
        const user = str(a.user_id) ?? '';
        const id = homes.get(user) ?? `VHOME${user}`;
        const known = views.get(id);
        if (known && str(a.hash) && str(a.hash) !== known.hash)
          return { body: { ok: false, error: 'hash_conflict' } };
        homes.set(user, id);
        return { body: { ok: true, view: publicView(saveView(id, a.view, user)) } };
      }
      case 'conversations.open': {
        const user = (str(a.users) ?? '').split(',')[0] ?? '';
        const id = str(a.channel) ?? workspace.dmWith(user).id;
        return { body: { ok: true, channel: { id } } };
      }
      case 'conversations.info': {
        const channel = workspace.channels.get(str(a.channel) ?? '');
        if (!channel || (channel.kind === 'private' && !channel.members.has(BOT.user_id)))
          return { body: { ok: false, error: 'channel_not_found' } };
        return {
          body: {
            ok: true,
            channel: {
              id: channel.id,
              name: channel.name,
              is_private: channel.kind === 'private',
              is_im: channel.kind === 'im',
              is_member: channel.members.has(BOT.user_id),
            },
          },
        };
      }
      case 'usergroups.users.list': {
        const users = usergroups.get(str(a.usergroup) ?? '');
        return { body: users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' } };
      }
      case 'users.info':
        return { body: { ok: true, user: userInfo(str(a.user) ?? 'U0') } };
      case 'files.getUploadURLExternal': {
        const fileId = newId('F');
        pendingFiles.set(fileId, { filename: str(a.filename) ?? '', altText: str(a.alt_text) });
        return { body: { ok: true, file_id: fileId, upload_url: `${base}/upload/${fileId}` } };
      }
      case 'files.completeUploadExternal':
        return { body: completeUploads(a) };
      case 'files.delete': {
        const id = str(a.file) ?? '';
        if (!files.has(id)) return { body: strict ? { ok: false, error: 'file_not_found' } : { ok: true } };
        files.delete(id);
        for (const message of workspace.all()) {
          if (message.files?.some((f) => f.id === id)) {
            message.files = message.files.filter((f) => f.id !== id);
            if (message.files.length === 0 && !message.text) deleteMessage(message.channel, message.ts);
            else emit({ type: 'message', message });
          }
        }
        return { body: { ok: true } };
      }
      default:
        return { body: { ok: true } };
    }
  };

  /** Applies a response_url body to the conversation it came from, as Slack shows it. */
  const deliverResponse = (context: ResponseUrlContext, body: Args) => {
    const original = context.messageTs ? workspace.findAnywhere(context.messageTs) : undefined;
    if (bool(body.delete_original)) {
      if (original) deleteMessage(original.channel, original.ts);
      return;
    }
    if (bool(body.replace_original) && original) {
      changeMessage(original, { text: body.text ?? '', blocks: body.blocks ?? [] });
      return;
    }
    if (!context.channel) return;
    const inChannel = str(body.response_type) === 'in_channel';
    addMessage({
      channel: context.channel,
      user: BOT.user_id,
      text: str(body.text) ?? '',
      blocks: Array.isArray(body.blocks) ? body.blocks : [],
      threadTs: str(body.thread_ts),
      ephemeralTo: inChannel ? undefined : context.user,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const [, kind, id = '', name] = new URL(req.url ?? '/', 'http://emulator').pathname.split('/');
    if (!['api', 'upload', 'respond', 'files'].includes(kind ?? '')) return false;
    if (kind === 'files' && req.method === 'GET') {
      const file = files.get(id);
      if (!file) {
        reply(res, 404, 'file_not_found');
        return true;
      }
      const inline = file.ref.mimetype.startsWith('image/');
      res.writeHead(200, {
        'content-type': file.ref.mimetype,
        'content-length': String(file.bytes.length),
        'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${encodeURIComponent(name ? decodeURIComponent(name) : file.ref.name)}"`,
      });
      res.end(file.bytes);
      return true;
    }
    if (req.method !== 'POST') {
      reply(res, 405, 'method_not_allowed');
      return true;
    }
    const raw = await readBody(req);
    const contentType = req.headers['content-type'];
    if (kind === 'api' && id) {
      const args = await parseBody(raw, contentType);
      const call: RecordedCall = { method: id, args, headers: req.headers, at: now() };
      calls.push(call);
      const send = (status: number, body: Args, headers: Record<string, string> = {}) => {
        call.status = status;
        call.answer = body;
        emit({ type: 'call', call });
        reply(res, status, body, headers);
      };
      const fault = await interfere(id);
      if (fault) {
        send(fault.status, fault.body, fault.headers);
        return true;
      }
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? str(args.token);
      if (!token) {
        send(200, { ok: false, error: id === 'auth.test' ? 'invalid_auth' : 'not_authed' });
        return true;
      }
      const { body, status = 200, headers } = answer(id, args);
      send(status, body, headers);
      return true;
    }
    if (kind === 'upload') {
      const file = pendingFiles.get(id);
      if (!file) {
        reply(res, 404, 'file_not_found');
        return true;
      }
      const fault = await interfere('upload');
      if (fault) {
        reply(res, fault.status, fault.body, fault.headers);
        return true;
      }
      const part = contentType?.startsWith('multipart/') ? (await parseBody(raw, contentType)).body : raw;
      file.bytes = Buffer.isBuffer(part) ? part : Buffer.from(String(part ?? ''));
      reply(res, 200, `OK - ${file.bytes.length}`);
      return true;
    }
    const issued = kind === 'respond' ? responseUrls.get(id) : undefined;
    if (issued) {
      const fault = await interfere('response');
      if (fault) {
        reply(res, fault.status, fault.body, fault.headers);
        return true;
      }
      const body = await parseBody(raw, contentType);
      // Not among `calls` (Web API methods only); the inspector sees it through the event.
      const call: RecordedCall = { method: 'response_url', args: body, headers: req.headers, at: now() };
      const worn = responseUrls.use(id, strict);
      const refused = worn ? null : refuseInvalid('chat.postMessage', body);
      if (worn || refused) {
        call.status = 404;
        call.answer = worn ?? 'invalid_blocks';
        emit({ type: 'call', call });
        reply(res, worn ? 404 : 400, worn ?? 'invalid_blocks');
        return true;
      }
      responses.push({ id, body, at: now() });
      note('response', body);
      deliverResponse(issued.context, body);
      call.status = 200;
      call.answer = 'ok';
      emit({ type: 'call', call });
      reply(res, 200, 'ok');
      return true;
    }
    reply(res, 404, 'not_found');
    return true;
  };

  const emulator: SlackEmulator = {
    get url() {
      return base;
    },
    get apiUrl() {
      return `${base}/api/`;
    },
    calls,
    responses,
    uploads,
    workspace,
    callsTo: (method) => calls.filter((call) => call.method === method),
    responseUrl: (name = 'r', context = {}) => {
      const id = `${encodeURIComponent(name)}-${seq()}`;
      responseUrls.issue(id, context);
      return `${base}/respond/${id}`;
    },
    responsesTo: (url) => responses.filter((r) => url.endsWith(`/respond/${r.id}`)),
    messages: () => [...messages],
    currentView,
    viewStack: (user) =>
      (stacks.get(user) ?? []).map((id) => views.get(id)).filter((v): v is StoredView => !!v),
    home: (user) => views.get(homes.get(user) ?? ''),
    applyViewAck: (user, viewId, ack) => {
      const stack = stackOf(user);
      const at = stack.indexOf(viewId);
      const action = isRecord(ack) ? str(ack.response_action) : undefined;
      const view = views.get(viewId);
      if (action === 'errors' && view && isRecord(ack)) {
        view.errors = isRecord(ack.errors) ? (ack.errors as Record<string, string>) : {};
      } else if (action === 'update' && isRecord(ack)) {
        const updated = saveView(viewId, ack.view, user);
        updated.errors = undefined;
      } else if (action === 'push' && isRecord(ack)) {
        const pushed = saveView(newId('V'), ack.view, user);
        pushed.previous_view_id = viewId;
        pushed.root_view_id = stack[0] ?? viewId;
        stack.push(pushed.id);
      } else if (action === 'clear') {
        stack.length = 0;
      } else if (at >= 0) {
        stack.splice(at);
      }
      emit({ type: 'views', user });
    },
    closeView: (user, viewId) => {
      const stack = stackOf(user);
      const at = stack.indexOf(viewId);
      if (at >= 0) stack.splice(at);
      emit({ type: 'views', user });
    },
    issueTrigger: (user) => triggers.issue(user),
    addMessage: (message) => addMessage(message),
    invite: (channelId, userId, by) => {
      const channel = workspace.channels.get(channelId);
      if (!channel || channel.members.has(userId)) return;
      channel.members.add(userId);
      const who = userId === BOT.user_id ? BOT.name : (workspace.people.get(userId)?.name ?? userId);
      addMessage({ channel: channelId, user: by, text: `added @${who} to #${channel.name}`, blocks: [] });
      emit({ type: 'channel', channel: channelId });
    },
    file: (id) => files.get(id),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    setUsergroup: (id, users) => void usergroups.set(id, [...users]),
    setSocketModeUrl: (url) => {
      socketModeUrl = url;
    },
    setUser: (id, fields) => void userFields.set(id, { ...fields }),
    failNext: (method, failure = {}) => {
      const queue = failures.get(method) ?? [];
      queue.push({ failure, left: failure.times ?? 1 });
      failures.set(method, queue);
    },
    setLatency: (method, ms) => void latencies.set(method, ms),
    reset: () => {
      for (const list of [calls, responses, uploads, messages]) list.length = 0;
      for (const map of [views, stacks, homes, pendingFiles, files, failures, latencies]) map.clear();
      triggers.clear();
      rates.clear();
      workspace.reset();
    },
    handle,
    setBaseUrl: (url) => {
      base = url.replace(/\/$/, '');
    },
    close: async () => {
      listeners.clear();
    },
  };

  return emulator;
}

function triggerError(verdict: { error: string; messages?: string[] }): Args {
  return verdict.messages
    ? { ok: false, error: verdict.error, response_metadata: { messages: verdict.messages } }
    : { ok: false, error: verdict.error };
}

/** A view as Slack returns it: without the emulator's own bookkeeping. */
function publicView(view: StoredView): Args {
  const { user: _user, errors: _errors, ...rest } = view;
  return rest;
}

/** An emulator on its own HTTP server at 127.0.0.1 (tests). */
export async function startSlackEmulator(
  opts: EmulatorOptions & { port?: number; host?: string } = {},
): Promise<SlackEmulator> {
  const emulator = createSlackEmulator(opts);
  const server = createServer((req, res) => {
    emulator
      .handle(req, res)
      .then((handled) => {
        if (!handled) reply(res, 404, 'not_found');
      })
      .catch((error: unknown) => {
        if (!res.headersSent) reply(res, 500, `slack-emulator: ${String(error)}`);
        else res.end();
      });
  });
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  emulator.setBaseUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const forget = emulator.close;
  emulator.close = async () => {
    await forget();
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  return emulator;
}

/** The test suite's name for a lenient emulator on its own server. */
export const startFakeSlack = (opts: EmulatorOptions = {}) => startSlackEmulator(opts);
