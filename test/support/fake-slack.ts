/**
 * A fake Slack Web API on a real HTTP server, spoken to by the real @slack/web-api WebClient
 * (`slackApiUrl: fake.apiUrl`). It records every call, answers like Slack does (HTTP 200 with
 * `{ ok, ... }`), hosts upload URLs and response_urls, and can be told to fail or to be slow.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Args = Record<string, unknown>;

export interface RecordedCall {
  method: string;
  args: Args;
  headers: IncomingHttpHeaders;
  at: number;
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

/** A view as the fake last returned it: the bot's view plus `id`, `hash`, `state`. */
export type StoredView = Args & { id: string; hash: string };

export interface FakeSlack {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>/api/`, for `slackApiUrl`. */
  readonly apiUrl: string;
  readonly calls: RecordedCall[];
  readonly responses: RecordedResponse[];
  readonly uploads: CompletedUpload[];
  callsTo(method: string): RecordedCall[];
  /** A fresh response_url served by this fake; `name` only makes the id readable. */
  responseUrl(name?: string): string;
  responsesTo(responseUrl: string): RecordedResponse[];
  /** Messages posted, updated, posted ephemerally or sent to a response_url, in arrival order. */
  messages(): SlackMessage[];
  /** The view with this id, or else the one with this callback_id changed most recently. */
  currentView(idOrCallbackId: string): StoredView | undefined;
  setUsergroup(id: string, users: string[]): void;
  /** `method` is a Web API method, or `'upload'` (upload URLs) or `'response'` (response_urls). */
  failNext(method: string, failure?: Failure): void;
  setLatency(method: string, ms: number): void;
  /** Forgets calls, responses, uploads, messages, views, failures and latencies; keeps usergroups. */
  reset(): void;
  close(): Promise<void>;
}

/** Form fields the WebClient JSON-encodes; decoded back when they hold a JSON array or object. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata', 'file_uploads']);
const TEAM_ID = 'T1';
const BOT = { user_id: 'UBOT', bot_id: 'BBOT' };

const isRecord = (x: unknown): x is Args => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const bool = (x: unknown): boolean | undefined => (x === undefined ? undefined : x === true || x === 'true');

function decodeField(key: string, value: string): unknown {
  if (!JSON_FIELDS.has(key) || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Parses form-urlencoded, multipart (file parts become Buffers) and JSON bodies. */
async function parseBody(raw: Buffer, contentType = ''): Promise<Args> {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  const args: Args = {};
  if (type === 'application/json') {
    const parsed: unknown = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    return isRecord(parsed) ? parsed : { body: parsed };
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(new Uint8Array(raw), {
      headers: { 'content-type': contentType },
    }).formData();
    for (const [key, value] of form) {
      args[key] =
        typeof value === 'string' ? decodeField(key, value) : Buffer.from(await value.arrayBuffer());
    }
    return args;
  }
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) args[key] = decodeField(key, value);
  return args;
}

function reply(res: ServerResponse, status: number, body: Args | string, headers = {}) {
  const json = typeof body !== 'string';
  res.writeHead(status, { 'content-type': json ? 'application/json' : 'text/plain', ...headers });
  res.end(json ? JSON.stringify(body) : body);
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const uploads: CompletedUpload[] = [];
  const messages: SlackMessage[] = [];
  const views = new Map<string, StoredView>();
  const pendingFiles = new Map<string, { filename: string; altText?: string; bytes?: Buffer }>();
  const responseIds = new Set<string>();
  const usergroups = new Map<string, string[]>();
  const failures = new Map<string, { failure: Failure; left: number }[]>();
  const latencies = new Map<string, number>();
  let counter = 0;
  const seq = () => ++counter;
  const newId = (prefix: string) => `${prefix}${String(seq()).padStart(8, '0')}`;
  let base = '';

  const nextTs = () => {
    const n = seq() * 100;
    return `${1_700_000_000 + Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, '0')}`;
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

  const saveView = (id: string, view: unknown): StoredView => {
    const stored: StoredView = {
      ...(isRecord(view) ? view : {}),
      id,
      team_id: TEAM_ID,
      app_id: 'A1',
      bot_id: BOT.bot_id,
      hash: `${Math.floor(Date.now() / 1000)}.${seq()}`,
      state: { values: {} },
      root_view_id: views.get(id)?.root_view_id ?? id,
    };
    views.delete(id);
    views.set(id, stored);
    return stored;
  };

  const currentView = (key: string) =>
    views.get(key) ?? [...views.values()].reverse().find((view) => view.callback_id === key);

  /** Runs the configured latency, then answers the configured failure if one is due. */
  const interfere = async (name: string, res: ServerResponse): Promise<boolean> => {
    const ms = latencies.get(name);
    if (ms) await sleep(ms);
    const queue = failures.get(name);
    const next = queue?.[0];
    if (!queue || !next) return false;
    next.left -= 1;
    if (next.left <= 0) queue.shift();
    const { status = 200, error, retryAfter = status === 429 ? 1 : undefined } = next.failure;
    const headers: Record<string, string> =
      retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
    const fallback = status === 429 ? 'ratelimited' : status === 200 ? 'fatal_error' : 'internal_error';
    reply(res, status, { ok: false, error: error ?? fallback }, headers);
    return true;
  };

  const completeUploads = (a: Args): Args => {
    const files = (Array.isArray(a.files) ? a.files : []).filter(isRecord);
    // Slack discards uploads whose bytes never arrived; the fake says so instead of inventing a file.
    if (files.length === 0 || files.some((f) => !pendingFiles.get(str(f.id) ?? '')?.bytes)) {
      return { ok: false, error: 'file_not_found' };
    }
    const where = {
      channelId: str(a.channel_id),
      initialComment: str(a.initial_comment),
      threadTs: str(a.thread_ts),
    };
    const completed = files.map((f) => {
      const fileId = str(f.id) ?? '';
      const { filename = '', altText, bytes = Buffer.alloc(0) } = pendingFiles.get(fileId) ?? {};
      pendingFiles.delete(fileId);
      const title = str(f.title) ?? filename;
      uploads.push({ fileId, filename, title, altText, ...where, bytes });
      return { id: fileId, title, name: filename };
    });
    return { ok: true, files: completed };
  };

  const answer = (method: string, a: Args): Args => {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://test.slack.com/',
          team: 'Test',
          team_id: TEAM_ID,
          user: 'onsim',
          ...BOT,
        };
      case 'chat.postMessage': {
        const ts = nextTs();
        note('postMessage', a, ts);
        const message = { user: BOT.user_id, bot_id: BOT.bot_id, text: a.text ?? '', blocks: a.blocks, ts };
        return {
          ok: true,
          channel: a.channel,
          ts,
          message: { type: 'message', ...message, thread_ts: a.thread_ts },
        };
      }
      case 'chat.update':
        note('update', a, str(a.ts));
        return { ok: true, channel: a.channel, ts: a.ts, message: { text: a.text ?? '', blocks: a.blocks } };
      case 'chat.delete':
        return { ok: true, channel: a.channel, ts: a.ts };
      case 'chat.postEphemeral': {
        const ts = nextTs();
        note('postEphemeral', a, ts);
        return { ok: true, message_ts: ts };
      }
      case 'views.open':
      case 'views.push':
        return { ok: true, view: saveView(newId('V'), a.view) };
      case 'views.update': {
        const byExternal = [...views.values()].find((v) => a.external_id && v.external_id === a.external_id);
        const id = str(a.view_id) ?? byExternal?.id ?? newId('V');
        return { ok: true, view: saveView(id, a.view) };
      }
      case 'views.publish':
        return { ok: true, view: saveView(`VHOME${str(a.user_id) ?? ''}`, a.view) };
      case 'conversations.open':
        return { ok: true, channel: { id: str(a.channel) ?? `D${(str(a.users) ?? '').split(',')[0]}` } };
      case 'usergroups.users.list': {
        const users = usergroups.get(str(a.usergroup) ?? '');
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'users.info': {
        const id = str(a.user) ?? 'U0';
        const name = id.toLowerCase();
        const profile = { real_name: `User ${id}`, display_name: name, email: `${name}@example.com` };
        const user = {
          id,
          team_id: TEAM_ID,
          name,
          real_name: profile.real_name,
          is_bot: false,
          tz: 'Europe/London',
        };
        return { ok: true, user: { ...user, profile } };
      }
      case 'files.getUploadURLExternal': {
        const fileId = newId('F');
        pendingFiles.set(fileId, { filename: str(a.filename) ?? '', altText: str(a.alt_text) });
        return { ok: true, file_id: fileId, upload_url: `${base}/upload/${fileId}` };
      }
      case 'files.completeUploadExternal':
        return completeUploads(a);
      default:
        return { ok: true };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const [, kind, id = ''] = new URL(req.url ?? '/', base).pathname.split('/');
    if (req.method !== 'POST') return reply(res, 405, 'method_not_allowed');
    const raw = await readBody(req);
    const contentType = req.headers['content-type'];
    if (kind === 'api' && id) {
      const args = await parseBody(raw, contentType);
      calls.push({ method: id, args, headers: req.headers, at: Date.now() });
      if (await interfere(id, res)) return;
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? str(args.token);
      if (!token)
        return reply(res, 200, { ok: false, error: id === 'auth.test' ? 'invalid_auth' : 'not_authed' });
      return reply(res, 200, answer(id, args));
    }
    if (kind === 'upload') {
      const file = pendingFiles.get(id);
      if (!file) return reply(res, 404, 'file_not_found');
      if (await interfere('upload', res)) return;
      const part = contentType?.startsWith('multipart/') ? (await parseBody(raw, contentType)).body : raw;
      file.bytes = Buffer.isBuffer(part) ? part : Buffer.from(String(part ?? ''));
      return reply(res, 200, `OK - ${file.bytes.length}`);
    }
    if (kind === 'respond' && responseIds.has(id)) {
      if (await interfere('response', res)) return;
      const body = await parseBody(raw, contentType);
      responses.push({ id, body, at: Date.now() });
      note('response', body);
      return reply(res, 200, 'ok');
    }
    reply(res, 404, 'not_found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, `fake-slack: ${String(error)}`);
      else res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiUrl: `${base}/api/`,
    calls,
    responses,
    uploads,
    callsTo: (method) => calls.filter((call) => call.method === method),
    responseUrl: (name = 'r') => {
      const id = `${encodeURIComponent(name)}-${seq()}`;
      responseIds.add(id);
      return `${base}/respond/${id}`;
    },
    responsesTo: (url) => responses.filter((r) => url.endsWith(`/respond/${r.id}`)),
    messages: () => [...messages],
    currentView,
    setUsergroup: (id, users) => void usergroups.set(id, [...users]),
    failNext: (method, failure = {}) => {
      const queue = failures.get(method) ?? [];
      queue.push({ failure, left: failure.times ?? 1 });
      failures.set(method, queue);
    },
    setLatency: (method, ms) => void latencies.set(method, ms),
    reset: () => {
      for (const list of [calls, responses, uploads, messages]) list.length = 0;
      for (const map of [views, pendingFiles, failures, latencies]) map.clear();
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
