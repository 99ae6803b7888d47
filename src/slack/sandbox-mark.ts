// While the bot runs on the built-in ONSIM sandbox, everything it shows in Slack says so: every
// message (replies, shared look-ups, channel records, porting alerts, audit lines, DMs), every
// modal, and every file comment. The mark is added here, where all of them pass on their way
// out — the `fetch` of the Web API client and of Bolt's respond() — so no handler can forget it.
// Payloads that already carry the mark (handlers may call badge() themselves) pass unchanged.
//
// Only view submission answers (`ack({ response_action: 'update', view })`) do not go through
// fetch: they are marked with badgeView() where they are built.
import type { KnownBlock, View } from '@slack/types';
import { badge, badgeView, SANDBOX_PREFIX } from './message.js';

/** Web API methods whose arguments are a message: `text` and optional `blocks`. */
const MESSAGE_METHODS = new Set([
  'chat.postMessage',
  'chat.postEphemeral',
  'chat.update',
  'chat.scheduleMessage',
]);
/** Web API methods whose `view` argument is shown to people. */
const VIEW_METHODS = new Set(['views.open', 'views.update', 'views.push', 'views.publish']);

type Fields = Record<string, unknown>;

const isFields = (x: unknown): x is Fields => typeof x === 'object' && x !== null && !Array.isArray(x);
const isView = (x: unknown): x is View =>
  isFields(x) && typeof x.type === 'string' && Array.isArray(x.blocks);
const isBlocks = (x: unknown): x is KnownBlock[] => Array.isArray(x) && x.every(isFields);

const prefixed = (text: string): string =>
  text.startsWith(SANDBOX_PREFIX) ? text : `${SANDBOX_PREFIX}${text}`;

/** A message's text and blocks with the mark; a text-only message just gets the prefix. */
function markMessage(fields: Fields): Fields {
  const text = typeof fields.text === 'string' ? fields.text : undefined;
  const blocks = isBlocks(fields.blocks) ? fields.blocks : undefined;
  if (blocks && blocks.length > 0) {
    const marked = badge({ text: text ?? '', blocks }, true);
    return { ...fields, blocks: marked.blocks, ...(text === undefined ? {} : { text: marked.text }) };
  }
  return text === undefined || text === '' ? fields : { ...fields, text: prefixed(text) };
}

/** The Web API method a URL calls (`…/api/chat.postMessage` → `chat.postMessage`). */
function methodOf(url: string): string {
  const path = new URL(url, 'http://slack.invalid').pathname;
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The arguments of a Web API call with the mark. The Web API client sends them form-encoded,
 * each object (blocks, view) as a JSON string in its own field.
 */
function markWebApiCall(method: string, form: URLSearchParams): URLSearchParams {
  const json = (name: string): unknown => {
    const raw = form.get(name);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  };
  const out = new URLSearchParams(form);
  if (MESSAGE_METHODS.has(method)) {
    const fields: Fields = { text: form.get('text') ?? undefined, blocks: json('blocks') };
    const marked = markMessage(fields);
    if (typeof marked.text === 'string') out.set('text', marked.text);
    if (isBlocks(marked.blocks)) out.set('blocks', JSON.stringify(marked.blocks));
  } else if (VIEW_METHODS.has(method)) {
    const view = json('view');
    if (isView(view)) out.set('view', JSON.stringify(badgeView(view, true)));
  } else if (method === 'files.completeUploadExternal') {
    const comment = form.get('initial_comment');
    if (comment) out.set('initial_comment', prefixed(comment));
  }
  return out;
}

function headerOf(init: RequestInit | undefined, name: string): string {
  const headers = new Headers(init?.headers);
  return (headers.get(name) ?? '').toLowerCase();
}

/** The request with the mark added, or as it was when it shows nothing to people. */
export function markSandboxRequest(url: string, init: RequestInit | undefined): RequestInit | undefined {
  const body = init?.body;
  if (typeof body !== 'string') return init; // file bytes (multipart) and bodiless calls
  const type = headerOf(init, 'content-type');
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const method = methodOf(url);
    const shown =
      MESSAGE_METHODS.has(method) || VIEW_METHODS.has(method) || method === 'files.completeUploadExternal';
    if (!shown) return init;
    return { ...init, body: markWebApiCall(method, new URLSearchParams(body)).toString() };
  }
  if (type.startsWith('application/json')) {
    // Bolt's respond(): a message posted to a response_url.
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return init;
    }
    if (!isFields(parsed) || parsed.delete_original === true) return init;
    return { ...init, body: JSON.stringify(markMessage(parsed)) };
  }
  return init;
}

/**
 * A fetch for the Slack clients (`clientOptions.fetch` of Bolt's App and of any WebClient) that
 * adds the sandbox mark to whatever the bot shows in Slack.
 */
export function sandboxMarkingFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return base(input, markSandboxRequest(url, init));
  };
}
