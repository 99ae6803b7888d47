// The playground page: draws the workspace the server keeps, and turns clicks and typing into
// what Slack would send the bot. Live through server-sent events; no framework.
// Types only (erased from the bundle): the page shows the emulator's own workspace, as the server sends it.
import type {
  ChatMessage,
  FileRef,
  Person,
  Channel as WorkspaceChannel,
} from '../../slack-emulator/workspace.js';
import { renderBlocks, renderModal } from './blocks.js';
import { escapeHtml, mrkdwnToHtml, type TextContext, textOf } from './mrkdwn.js';

type Obj = Record<string, unknown>;
/** A channel as the server's state sends it: its messages that the person may see. */
interface Channel extends Pick<WorkspaceChannel, 'id' | 'name' | 'kind'> {
  botMember: boolean;
  messages: ChatMessage[];
}
interface Command {
  name: string;
  usage: string;
  summary: string;
  role: string;
}
interface Shortcut {
  type: 'global' | 'message';
  callbackId: string;
  name: string;
}
interface State {
  live: boolean;
  shortcuts: Shortcut[];
  me: string;
  bot: { id: string; name: string };
  people: Person[];
  channels: Channel[];
  views: Obj[];
  home: Obj | null;
  commands: Command[];
}
interface Port {
  id: string;
  number: string;
  status: string;
}
interface SandboxState {
  fault: string;
  faults: string[];
  statuses: string[];
  ports: Port[];
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string, root: ParentNode = document) =>
  root.querySelector<T>(sel);
const app = $('#app') as HTMLElement;

let state: State | null = null;
let me = localStorage.getItem('playground.person') ?? '';
let where: { kind: 'channel'; id: string } | { kind: 'home' } = { kind: 'channel', id: '' };
let thread: { channel: string; ts: string } | null = null;
let panel: 'none' | 'sandbox' | 'inspector' = 'none';
let emoji: Record<string, string> = {};
let sandbox: SandboxState | null = null;
let transcript: Obj[] = [];
let completionIndex = 0;

const FAULT_LABELS: Record<string, string> = {
  none: 'Healthy',
  slow: 'Slow (4 s per call)',
  '429': 'Rate limited (429)',
  '5xx': 'Down (503)',
  lost: 'Writes happen, answers lost (502)',
};

const api = async (path: string, body?: unknown): Promise<Obj> => {
  const res = await fetch(
    path,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  const json = (await res.json().catch(() => ({}))) as Obj;
  if (!res.ok) throw new Error(typeof json.error === 'string' ? json.error : `${res.status}`);
  return json;
};

const ctx = (): TextContext => ({
  emoji,
  people: Object.fromEntries([
    ...(state?.people ?? []).map((p) => [p.id, p.name]),
    [state?.bot.id ?? 'UBOT', state?.bot.name ?? 'onsim'],
  ]),
  channels: Object.fromEntries(
    (state?.channels ?? []).filter((c) => c.kind !== 'im').map((c) => [c.id, c.name]),
  ),
});

const personName = (id: string) => {
  if (id === state?.bot.id) return state.bot.name;
  if (id === 'USLACKBOT') return 'Slackbot';
  return state?.people.find((p) => p.id === id)?.realName ?? id;
};
const time = (ts: string) =>
  new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const size = (n: number) =>
  n > 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n > 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`;

function toast(html: string, kind: 'error' | 'info' = 'error', ms = 8000) {
  const box = document.createElement('div');
  box.className = `toast ${kind}`;
  box.innerHTML = html;
  $('#toasts')?.append(box);
  setTimeout(() => box.remove(), ms);
}

// ── Drawing ────────────────────────────────────────────────────────────────

function renderFiles(files: FileRef[] = []): string {
  return files
    .map((f) =>
      f.mimetype.startsWith('image/')
        ? `<figure class="file image"><img src="${escapeHtml(f.url)}" alt="${escapeHtml(f.altText ?? f.title)}"><figcaption>${escapeHtml(f.title)} · <a href="${escapeHtml(f.url)}" download="${escapeHtml(f.name)}">Download</a></figcaption></figure>`
        : `<a class="file card" href="${escapeHtml(f.url)}" download="${escapeHtml(f.name)}"><span class="file-icon">${f.mimetype === 'text/csv' ? 'CSV' : 'FILE'}</span><span><strong>${escapeHtml(f.title)}</strong><br><small>${size(f.size)} · click to download</small></span></a>`,
    )
    .join('');
}

function renderMessage(m: ChatMessage, replies: ChatMessage[], inThread: boolean): string {
  const c = { ...ctx(), surface: 'message' as const };
  const body =
    m.blocks.length > 0
      ? renderBlocks(m.blocks, c)
      : m.text
        ? `<div class="b-text">${mrkdwnToHtml(m.text, c)}</div>`
        : '';
  const bot = m.user === state?.bot.id;
  const badge = bot ? '<span class="app-badge">APP</span>' : '';
  const ephemeral = m.ephemeralTo ? '<div class="only-you">👁 Only visible to you</div>' : '';
  const edited = m.edited ? '<span class="edited">(edited)</span>' : '';
  const replyLink =
    !inThread && replies.length > 0
      ? `<button type="button" class="replies" data-thread="${escapeHtml(m.ts)}">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</button>`
      : '';
  const initial = escapeHtml(personName(m.user).slice(0, 1).toUpperCase());
  const shortcuts = (state?.shortcuts ?? []).filter((s) => s.type === 'message');
  const more = shortcuts.length
    ? `<details class="message-actions"><summary aria-label="More actions">⋯</summary><div class="menu">${shortcuts.map((s) => `<button type="button" class="menu-item" data-shortcut="${escapeHtml(s.callbackId)}">${escapeHtml(s.name)}</button>`).join('')}</div></details>`
    : '';
  return `<article class="message${m.ephemeralTo ? ' ephemeral' : ''}" data-ts="${escapeHtml(m.ts)}" data-channel="${escapeHtml(m.channel)}">
  <div class="avatar${bot ? ' bot' : ''}">${initial}</div>
  ${more}<div class="content">${ephemeral}<div class="meta"><strong>${escapeHtml(personName(m.user))}</strong>${badge}<time>${time(m.ts)}</time>${edited}</div>${body}${renderFiles(m.files)}${replyLink}</div>
</article>`;
}

function currentChannel(): Channel | undefined {
  if (!state) return undefined;
  const id = where.kind === 'channel' ? where.id : '';
  return state.channels.find((c) => c.id === id);
}

function sidebar(s: State): string {
  const item = (c: Channel) => {
    const active = where.kind === 'channel' && where.id === c.id ? ' active' : '';
    const icon = c.kind === 'private' ? '🔒' : '#';
    return `<button type="button" class="nav${active}" data-channel="${c.id}"><span class="hash">${icon}</span>${escapeHtml(c.name)}</button>`;
  };
  const dm = s.channels.find((c) => c.kind === 'im');
  const appActive =
    where.kind === 'home' || (dm && where.kind === 'channel' && where.id === dm.id) ? ' active' : '';
  return `<div class="workspace">ONSIM playground</div>
  <div class="section-title">Channels</div>${s.channels
    .filter((c) => c.kind !== 'im')
    .map(item)
    .join('')}
  <div class="section-title">Apps</div><button type="button" class="nav${appActive}" data-app="home"><span class="hash">◆</span>${escapeHtml(s.bot.name)}</button>
  <div class="section-title">Try</div>
  <div class="tips"><code>/onsim help</code><br><code>/onsim account 447700900123</code><br><code>/onsim provision</code><br>Switch person at the top right to see what each role may do.</div>`;
}

function conversation(s: State): string {
  const dm = s.channels.find((c) => c.kind === 'im');
  if (where.kind === 'home' || (dm && where.kind === 'channel' && where.id === dm.id)) {
    const tabs = `<div class="tabs"><button type="button" class="tab${where.kind === 'home' ? ' active' : ''}" data-app="home">Home</button><button type="button" class="tab${where.kind === 'channel' ? ' active' : ''}" data-app="messages">Messages</button></div>`;
    if (where.kind === 'home') {
      const home = s.home
        ? `<div class="home" data-view-id="${escapeHtml(String(s.home.id))}">${renderBlocks(s.home.blocks, { ...ctx(), surface: 'home' })}</div>`
        : '<div class="empty">Opening the Home tab…</div>';
      return `<header class="conv-head"><h1>◆ ${escapeHtml(s.bot.name)}</h1>${tabs}</header><div class="scroll">${home}</div>`;
    }
    return `<header class="conv-head"><h1>◆ ${escapeHtml(s.bot.name)}</h1>${tabs}</header>${messageList(dm as Channel)}${composer(dm as Channel)}`;
  }
  const c = currentChannel();
  if (!c) return '<div class="empty">Pick a channel</div>';
  const notIn =
    c.kind === 'private' && !c.botMember
      ? `<div class="notice">🔒 #${escapeHtml(c.name)} is private and <strong>@${escapeHtml(s.bot.name)}</strong> is not in it: its commands answer only you, and anything it must post here fails with <code>channel_not_found</code>. Type <code>/invite @${escapeHtml(s.bot.name)}</code> to add it.</div>`
      : '';
  return `<header class="conv-head"><h1>${c.kind === 'private' ? '🔒' : '#'} ${escapeHtml(c.name)}</h1></header>${notIn}${messageList(c)}${composer(c)}`;
}

function messageList(c: Channel): string {
  const top = c.messages.filter((m) => !m.threadTs || m.threadTs === m.ts);
  const replies = (ts: string) => c.messages.filter((m) => m.threadTs === ts && m.ts !== ts);
  const list = top.map((m) => renderMessage(m, replies(m.ts), false)).join('');
  return `<div class="scroll messages" id="messages">${list || `<div class="empty">No messages yet. Type <code>/onsim help</code> below.</div>`}</div>`;
}

function composer(c: Channel): string {
  const globals = (state?.shortcuts ?? []).filter((s) => s.type === 'global');
  const lightning = globals.length
    ? `<details class="shortcuts"><summary class="btn" aria-label="Shortcuts" title="Shortcuts">⚡</summary><div class="menu up">${globals.map((s) => `<button type="button" class="menu-item" data-shortcut="${escapeHtml(s.callbackId)}">${escapeHtml(s.name)}</button>`).join('')}</div></details>`
    : '';
  return `<form class="composer" data-composer="${c.id}" autocomplete="off">${lightning}<div class="completion" hidden></div><textarea name="text" rows="1" placeholder="Message ${c.kind === 'im' ? escapeHtml(state?.bot.name ?? '') : `#${escapeHtml(c.name)}`} — or type /onsim …" aria-label="Message"></textarea><button type="submit" class="btn primary">Send</button></form>`;
}

function threadPane(s: State): string {
  if (!thread) return '';
  const c = s.channels.find((x) => x.id === thread?.channel);
  const parent = c?.messages.find((m) => m.ts === thread?.ts);
  if (!c || !parent) return '';
  const replies = c.messages.filter((m) => m.threadTs === parent.ts && m.ts !== parent.ts);
  return `<aside class="thread"><header class="conv-head"><h2>Thread <small>#${escapeHtml(c.name)}</small></h2><button type="button" class="icon" data-close-thread aria-label="Close thread">×</button></header>
  <div class="scroll">${renderMessage(parent, [], true)}<div class="reply-count">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</div>${replies.map((m) => renderMessage(m, [], true)).join('')}</div>
  <form class="composer" data-composer="${c.id}" data-thread-ts="${escapeHtml(parent.ts)}"><textarea name="text" rows="1" placeholder="Reply…" aria-label="Reply"></textarea><button type="submit" class="btn primary">Reply</button></form></aside>`;
}

function sidePanel(): string {
  if (panel === 'sandbox') {
    if (!sandbox)
      return `<aside class="panel"><h2>ONSIM sandbox</h2><p>${state?.live ? 'The playground is driving the <strong>real ONSIM</strong> (ONSIM_API_KEY is set): there is no sandbox to steer.' : 'Loading…'}</p></aside>`;
    const faults = sandbox.faults
      .map(
        (f) =>
          `<label class="choice"><input type="radio" name="fault" value="${f}" data-fault${sandbox?.fault === f ? ' checked' : ''}> ${escapeHtml(FAULT_LABELS[f] ?? f)}</label>`,
      )
      .join('');
    const ports = sandbox.ports
      .map(
        (p) =>
          `<tr><td>${escapeHtml(p.id)}</td><td>${escapeHtml(p.number)}</td><td><select data-port="${escapeHtml(p.id)}" aria-label="Status of port ${escapeHtml(p.id)}">${sandbox?.statuses.map((st) => `<option${st === p.status ? ' selected' : ''}>${escapeHtml(st)}</option>`).join('')}</select></td></tr>`,
      )
      .join('');
    return `<aside class="panel"><header class="panel-head"><h2>ONSIM sandbox</h2><button type="button" class="icon" data-panel="none" aria-label="Close panel">×</button></header>
    <p class="hint">Steer the test ONSIM the bot talks to, and watch how it copes.</p>
    <h3>ONSIM health</h3>${faults}
    <h3>Ports</h3><p class="hint">Change a status: #porting (which runs <code>/onsim ports watch</code>) gets an alert within a few seconds.</p>
    <button type="button" class="btn" data-advance>Advance every open port one step</button>
    <table class="ports"><thead><tr><th>Port</th><th>Number</th><th>Status</th></tr></thead><tbody>${ports}</tbody></table></aside>`;
  }
  if (panel === 'inspector') {
    const rows = transcript
      .map((e) => {
        const status = Number(e.status);
        const ok =
          e.direction === 'to bot'
            ? status === 200
            : status === 200 &&
              !(typeof e.response === 'object' && e.response && (e.response as Obj).ok === false);
        const err =
          typeof e.response === 'object' && e.response && typeof (e.response as Obj).error === 'string'
            ? ` · ${escapeHtml(String((e.response as Obj).error))}`
            : '';
        return `<details class="entry${ok ? '' : ' failed'}"><summary><span class="seq">#${e.seq}</span> <span class="dir">${e.direction === 'to bot' ? 'Slack → bot' : 'bot → Slack'}</span> <strong>${escapeHtml(String(e.kind))}</strong> <span class="status">${status}${err}</span></summary><h4>Request</h4><pre>${escapeHtml(JSON.stringify(e.request, null, 2))}</pre><h4>${e.direction === 'to bot' ? 'Ack' : 'Answer'}</h4><pre>${escapeHtml(JSON.stringify(e.response, null, 2))}</pre></details>`;
      })
      .join('');
    return `<aside class="panel inspector"><header class="panel-head"><h2>Inspector</h2><button type="button" class="icon" data-panel="none" aria-label="Close panel">×</button></header>
    <p class="hint">Everything Slack sent the bot and every Web API call the bot made, in order, as raw JSON. <a href="/ui/transcript.json" download>Export JSON transcript</a></p>${rows || '<p class="empty">Nothing yet.</p>'}</aside>`;
  }
  return '';
}

function topbar(s: State): string {
  const options = s.people
    .map(
      (p) =>
        `<option value="${p.id}"${p.id === me ? ' selected' : ''}>${escapeHtml(p.realName)} — ${escapeHtml(p.title ?? '')}</option>`,
    )
    .join('');
  const banner = s.live
    ? '<div class="banner live" role="alert">LIVE ONSIM — real lines. Every action here changes real subscribers.</div>'
    : '<div class="banner sandbox">ONSIM sandbox — test data only, nothing here touches a real line.</div>';
  return `${banner}<div class="topbar"><div class="brand">Slack playground for <strong>${escapeHtml(s.bot.name)}</strong></div>
  <label class="person">You are <select id="person" aria-label="Person">${options}</select></label>
  <button type="button" class="btn${panel === 'sandbox' ? ' primary' : ''}" data-panel="sandbox">Sandbox</button>
  <button type="button" class="btn${panel === 'inspector' ? ' primary' : ''}" data-panel="inspector">Inspector</button></div>`;
}

function modals(s: State): string {
  if (s.views.length === 0) return '';
  const top = s.views.at(-1) as Obj;
  return `<div class="overlay">${renderModal(top, ctx(), { back: s.views.length > 1 })}</div>`;
}

/** What a person typed in inputs, by block and action id, to keep across a redraw. */
function snapshot(root: ParentNode | null): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  for (const el of root?.querySelectorAll<HTMLElement>('[data-state]') ?? []) {
    const key = `${el.dataset.blockId}/${el.dataset.actionId}`;
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) out.set(key, el.value);
    else if (el instanceof HTMLSelectElement)
      out.set(
        key,
        [...el.selectedOptions].map((o) => o.value),
      );
    else if (el.classList.contains('choices'))
      out.set(
        key,
        [...el.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value),
      );
    else if (el.classList.contains('external')) out.set(key, el.querySelector('.chips')?.innerHTML ?? '');
  }
  return out;
}

function restore(root: ParentNode | null, values: Map<string, string | string[]>) {
  for (const el of root?.querySelectorAll<HTMLElement>('[data-state]') ?? []) {
    const v = values.get(`${el.dataset.blockId}/${el.dataset.actionId}`);
    if (v === undefined) continue;
    if ((el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && typeof v === 'string')
      el.value = v;
    else if (el instanceof HTMLSelectElement && Array.isArray(v))
      for (const o of el.options) o.selected = v.includes(o.value);
    else if (el.classList.contains('choices') && Array.isArray(v))
      for (const i of el.querySelectorAll<HTMLInputElement>('input')) i.checked = v.includes(i.value);
    else if (el.classList.contains('external') && typeof v === 'string') {
      const chips = el.querySelector('.chips');
      if (chips) chips.innerHTML = v;
    }
  }
}

function draw() {
  if (!state) return;
  const s = state;
  const modalBefore = $('.modal');
  const keep = snapshot(modalBefore);
  const keptViewId = modalBefore?.dataset.viewId;
  const draft = $<HTMLTextAreaElement>('.main .composer textarea')?.value ?? '';
  const threadDraft = $<HTMLTextAreaElement>('.thread .composer textarea')?.value ?? '';
  const focused = document.activeElement?.closest('.thread')
    ? 'thread'
    : document.activeElement?.closest('.composer')
      ? 'main'
      : '';
  const scroller = $('#messages');
  const atBottom = !scroller || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;

  app.innerHTML = `${topbar(s)}<div class="layout"><nav class="sidebar">${sidebar(s)}</nav><main class="main">${conversation(s)}</main>${threadPane(s)}${sidePanel()}</div>${modals(s)}`;

  const modal = $('.modal');
  if (modal && modal.dataset.viewId === keptViewId) restore(modal, keep);
  const mainText = $<HTMLTextAreaElement>('.main .composer textarea');
  if (mainText) mainText.value = draft;
  const threadText = $<HTMLTextAreaElement>('.thread .composer textarea');
  if (threadText) threadText.value = threadDraft;
  if (focused === 'main') mainText?.focus();
  if (focused === 'thread') threadText?.focus();
  const list = $('#messages');
  if (list && atBottom) list.scrollTop = list.scrollHeight;
}

// ── Data ───────────────────────────────────────────────────────────────────

async function refresh() {
  const next = (await api(`/ui/state?user=${encodeURIComponent(me)}`)) as unknown as State;
  state = next;
  const at = where;
  if (at.kind === 'channel' && !next.channels.some((c) => c.id === at.id)) {
    where = { kind: 'channel', id: next.channels[0]?.id ?? '' };
  }
  if (panel === 'sandbox') sandbox = ((await api('/ui/sandbox')).sandbox as SandboxState | null) ?? null;
  if (panel === 'inspector') transcript = ((await api('/ui/transcript')).entries as Obj[]) ?? [];
  draw();
}

let pending: ReturnType<typeof setTimeout> | undefined;
const refreshSoon = () => {
  clearTimeout(pending);
  pending = setTimeout(() => void refresh().catch((e: unknown) => toast(escapeHtml(String(e)))), 40);
};

function listen() {
  const events = new EventSource('/ui/events');
  events.onmessage = (e) => {
    const event = JSON.parse(e.data) as Obj;
    if (event.type === 'refused') {
      const problems = (event.problems as string[]).map((p) => `<li>${escapeHtml(p)}</li>`).join('');
      toast(
        `<strong>Slack refused ${escapeHtml(String(event.method))}: <code>${escapeHtml(String(event.error))}</code></strong><ul>${problems}</ul>`,
        'error',
        15000,
      );
    }
    refreshSoon();
  };
}

// ── Doing things ───────────────────────────────────────────────────────────

const optionOf = (el: Element | null | undefined): Obj | null => {
  const raw = (el as HTMLElement | null)?.dataset?.option;
  return raw ? (JSON.parse(raw) as Obj) : null;
};

/** An element's entry in state.values, as Slack reports it. */
function stateOf(el: HTMLElement): Obj {
  const type = el.dataset.type ?? '';
  if (el instanceof HTMLSelectElement) {
    const chosen = [...el.selectedOptions].filter((o) => o.value !== '');
    if (type.includes('users'))
      return type.startsWith('multi_')
        ? { type, selected_users: chosen.map((o) => o.value) }
        : { type, selected_user: chosen[0]?.value ?? null };
    if (type.includes('conversations'))
      return type.startsWith('multi_')
        ? { type, selected_conversations: chosen.map((o) => o.value) }
        : { type, selected_conversation: chosen[0]?.value ?? null };
    if (type.includes('channels'))
      return type.startsWith('multi_')
        ? { type, selected_channels: chosen.map((o) => o.value) }
        : { type, selected_channel: chosen[0]?.value ?? null };
    const options = chosen.map(optionOf).filter(Boolean);
    return type.startsWith('multi_')
      ? { type, selected_options: options }
      : { type, selected_option: options[0] ?? null };
  }
  if (el.classList.contains('choices')) {
    const options = [...el.querySelectorAll('input:checked')].map(optionOf).filter(Boolean);
    return type === 'checkboxes'
      ? { type, selected_options: options }
      : { type, selected_option: options[0] ?? null };
  }
  if (el.classList.contains('external')) {
    const options = [...el.querySelectorAll('.chip')].map(optionOf).filter(Boolean);
    return type.startsWith('multi_')
      ? { type, selected_options: options }
      : { type, selected_option: options[0] ?? null };
  }
  const value = (el as HTMLInputElement).value;
  if (type === 'datepicker') return { type, selected_date: value || null };
  if (type === 'timepicker') return { type, selected_time: value || null };
  if (type === 'datetimepicker')
    return { type, selected_date_time: value ? Math.floor(new Date(value).getTime() / 1000) : null };
  return { type, value: value === '' ? null : value };
}

function valuesOf(root: ParentNode | null): Record<string, Record<string, Obj>> {
  const values: Record<string, Record<string, Obj>> = {};
  for (const el of root?.querySelectorAll<HTMLElement>('[data-state]') ?? []) {
    const block = el.dataset.blockId ?? '';
    const action = el.dataset.actionId ?? '';
    values[block] = { ...(values[block] ?? {}), [action]: stateOf(el) };
  }
  return values;
}

function requiredFilled(modal: HTMLElement): boolean {
  let ok = true;
  for (const block of modal.querySelectorAll<HTMLElement>('.b-input[data-required]')) {
    const el = block.querySelector<HTMLElement>('[data-state]');
    if (!el) continue;
    const value = Object.entries(stateOf(el)).find(([k]) => k !== 'type')?.[1];
    const empty =
      value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
    block.querySelector('.field-error.client')?.remove();
    if (!empty) continue;
    ok = false;
    block.classList.add('has-error');
    block.insertAdjacentHTML(
      'beforeend',
      '<div class="field-error client" role="alert">Please complete this required field.</div>',
    );
  }
  return ok;
}

function sourceOf(el: Element): { source: Obj; root: ParentNode | null } {
  const modal = el.closest<HTMLElement>('.modal');
  if (modal) return { source: { viewId: modal.dataset.viewId }, root: modal };
  const home = el.closest<HTMLElement>('.home');
  if (home) return { source: { viewId: home.dataset.viewId }, root: home };
  const message = el.closest<HTMLElement>('.message');
  return { source: { channel: message?.dataset.channel, ts: message?.dataset.ts }, root: message };
}

function confirmDialog(confirm: Obj): Promise<boolean> {
  return new Promise((resolve) => {
    const c = ctx();
    const style = confirm.style === 'danger' ? ' danger' : ' primary';
    const box = document.createElement('div');
    box.className = 'overlay confirm-overlay';
    box.innerHTML = `<div class="modal confirm" role="alertdialog" aria-modal="true"><div class="modal-head"><h2>${escapeHtml(textOf(confirm.title) || 'Are you sure?')}</h2></div><div class="modal-body">${mrkdwnToHtml(textOf(confirm.text), c)}</div><div class="modal-foot"><button type="button" class="btn" data-answer="no">${escapeHtml(textOf(confirm.deny) || 'Cancel')}</button><button type="button" class="btn${style}" data-answer="yes">${escapeHtml(textOf(confirm.confirm) || 'Yes')}</button></div></div>`;
    box.addEventListener('click', (e) => {
      const answer = (e.target as HTMLElement).closest<HTMLElement>('[data-answer]')?.dataset.answer;
      if (!answer) return;
      box.remove();
      resolve(answer === 'yes');
    });
    document.body.append(box);
  });
}

async function dispatch(el: HTMLElement, chosen?: HTMLElement) {
  const data = JSON.parse(el.dataset.el ?? '{}') as Obj;
  const { confirm, min_query_length: _m, ...action } = data;
  if (confirm && !(await confirmDialog(confirm as Obj))) return;
  const stateEl = el.closest<HTMLElement>('[data-state]') ?? el;
  if (action.type === 'overflow') action.selected_option = optionOf(chosen ?? el);
  else if (action.type !== 'button' && stateEl.dataset.state) Object.assign(action, stateOf(stateEl));
  const { source, root } = sourceOf(el);
  el.closest('details')?.removeAttribute('open');
  await api('/ui/action', { user: me, source, action, values: valuesOf(root) });
  refreshSoon();
}

async function suggest(box: HTMLElement, query: string) {
  const data = JSON.parse(box.dataset.el ?? '{}') as Obj;
  const list = box.querySelector<HTMLElement>('.suggestions');
  if (!list) return;
  if (query.length < Number(data.min_query_length ?? 3)) {
    list.hidden = true;
    return;
  }
  const { source, root } = sourceOf(box);
  const answer = await api('/ui/suggest', {
    user: me,
    source,
    action: { action_id: data.action_id, block_id: data.block_id },
    values: valuesOf(root),
    value: query,
  });
  const options = (answer.options ?? {}) as Obj;
  const flat = [
    ...((options.options as Obj[]) ?? []),
    ...((options.option_groups as Obj[]) ?? []).flatMap((g) => (g.options as Obj[]) ?? []),
  ];
  list.innerHTML = flat.length
    ? flat
        .map(
          (o) =>
            `<button type="button" class="menu-item" data-pick data-option="${escapeHtml(JSON.stringify(o))}">${escapeHtml(textOf(o.text))}</button>`,
        )
        .join('')
    : '<div class="hint">No matches</div>';
  list.hidden = false;
}

function completions(text: string): { insert: string; label: string; hint: string }[] {
  if (!state || !text.startsWith('/')) return [];
  const [cmd = '', sub = '', ...rest] = text.split(/\s+/);
  if (!text.includes(' ')) {
    return [
      { insert: '/onsim ', label: '/onsim', hint: 'ONSIM lines, eSIMs, ports…' },
      { insert: '/invite @onsim', label: '/invite @onsim', hint: 'add the bot to this channel' },
    ].filter((c) => c.label.startsWith(cmd));
  }
  if (cmd !== '/onsim' || rest.length > 0) return [];
  return state.commands
    .filter((c) => c.name.startsWith(sub))
    .map((c) => ({
      insert: `/onsim ${c.name} `,
      label: `/onsim ${escapeHtml(c.usage.replace(/`/g, ''))}`,
      hint: `${escapeHtml(c.summary)}${c.role !== 'viewer' ? ` <span class="role">${c.role}</span>` : ''}`,
    }));
}

function showCompletion(area: HTMLTextAreaElement) {
  const box = area.closest('form')?.querySelector<HTMLElement>('.completion');
  if (!box) return;
  const list = completions(area.value);
  if (list.length === 0 || (list.length === 1 && list[0]?.insert.trim() === area.value.trim())) {
    box.hidden = true;
    return;
  }
  completionIndex = Math.min(completionIndex, list.length - 1);
  box.innerHTML = list
    .map(
      (c, i) =>
        `<button type="button" class="completion-item${i === completionIndex ? ' active' : ''}" data-insert="${escapeHtml(c.insert)}"><span>${c.label}</span><small>${c.hint}</small></button>`,
    )
    .join('');
  box.hidden = false;
}

async function send(form: HTMLFormElement) {
  const area = form.querySelector('textarea') as HTMLTextAreaElement;
  const text = area.value.trim();
  if (!text) return;
  const channel = form.dataset.composer ?? '';
  const threadTs = form.dataset.threadTs;
  area.value = '';
  form.querySelector<HTMLElement>('.completion')?.setAttribute('hidden', '');
  try {
    if (text.startsWith('/') && threadTs) {
      toast(
        'Slash commands cannot be used in threads (Slack does not allow it). Send it in the channel.',
        'info',
      );
      area.value = text;
      return;
    }
    if (text.startsWith('/')) await api('/ui/command', { user: me, channel, text });
    else await api('/ui/message', { user: me, channel, text, threadTs });
  } catch (err) {
    area.value = text;
    toast(escapeHtml(err instanceof Error ? err.message : String(err)), 'info');
  }
  refreshSoon();
}

async function openHome() {
  where = { kind: 'home' };
  draw();
  await api('/ui/home-opened', { user: me });
  refreshSoon();
}

document.addEventListener('click', (e) => {
  const t = e.target as HTMLElement;
  const run = (p: Promise<unknown>) =>
    void p.catch((err: unknown) => toast(escapeHtml(err instanceof Error ? err.message : String(err))));
  const channel = t.closest<HTMLElement>('.nav[data-channel]');
  if (channel) {
    where = { kind: 'channel', id: channel.dataset.channel ?? '' };
    thread = null;
    return draw();
  }
  const appTab = t.closest<HTMLElement>('[data-app]');
  if (appTab) {
    if (appTab.dataset.app === 'home') return run(openHome());
    const dm = state?.channels.find((c) => c.kind === 'im');
    if (dm) where = { kind: 'channel', id: dm.id };
    return draw();
  }
  const replies = t.closest<HTMLElement>('[data-thread]');
  if (replies) {
    const message = replies.closest<HTMLElement>('.message');
    thread = { channel: message?.dataset.channel ?? '', ts: replies.dataset.thread ?? '' };
    return draw();
  }
  if (t.closest('[data-close-thread]')) {
    thread = null;
    return draw();
  }
  const panelButton = t.closest<HTMLElement>('[data-panel]');
  if (panelButton) {
    const next = panelButton.dataset.panel as typeof panel;
    panel = panel === next ? 'none' : next;
    return run(refresh());
  }
  if (t.closest('[data-advance]')) return run(api('/ui/sandbox', { op: 'advance' }).then(refresh));
  const pick = t.closest<HTMLElement>('[data-pick]');
  if (pick) {
    const box = pick.closest<HTMLElement>('.external');
    const chips = box?.querySelector('.chips');
    const option = optionOf(pick);
    if (box && chips && option) {
      const chip = `<span class="chip" data-option="${escapeHtml(JSON.stringify(option))}">${escapeHtml(textOf(option.text))}</span>`;
      chips.innerHTML = box.dataset.multi === '1' ? chips.innerHTML + chip : chip;
      (box.querySelector('.suggestions') as HTMLElement).hidden = true;
      (box.querySelector('input') as HTMLInputElement).value = '';
      if (box.dataset.dispatch) run(dispatch(box));
    }
    return;
  }
  const insert = t.closest<HTMLElement>('[data-insert]');
  if (insert) {
    const area = insert.closest('form')?.querySelector('textarea');
    if (area) {
      area.value = insert.dataset.insert ?? '';
      area.focus();
      showCompletion(area);
    }
    return;
  }
  const shortcut = t.closest<HTMLElement>('[data-shortcut]');
  if (shortcut) {
    shortcut.closest('details')?.removeAttribute('open');
    const message = shortcut.closest<HTMLElement>('.message');
    const body = message
      ? {
          user: me,
          callbackId: shortcut.dataset.shortcut,
          channel: message.dataset.channel,
          ts: message.dataset.ts,
        }
      : { user: me, callbackId: shortcut.dataset.shortcut };
    return run(api('/ui/shortcut', body).then(refreshSoon));
  }
  const modalButton = t.closest<HTMLElement>('[data-modal]');
  if (modalButton) {
    const modal = modalButton.closest<HTMLElement>('.modal');
    const viewId = modal?.dataset.viewId ?? '';
    const what = modalButton.dataset.modal;
    if (what === 'submit') {
      // Slack's client refuses to submit with a required field empty, before the app hears of it.
      if (modal && !requiredFilled(modal)) return;
      modalButton.setAttribute('disabled', '');
      modalButton.textContent = 'Submitting…';
      return run(api('/ui/submit', { user: me, viewId, values: valuesOf(modal) }).finally(refreshSoon));
    }
    return run(api('/ui/close', { user: me, viewId, values: valuesOf(modal) }).then(refreshSoon));
  }
  const el = t.closest<HTMLElement>('[data-el][data-dispatch]');
  if (el && (el.tagName === 'BUTTON' || el.tagName === 'A')) {
    if (el.tagName === 'A' && (el as HTMLAnchorElement).getAttribute('href') !== '#') {
      // A link button opens its URL and still tells the app, as Slack does.
    } else e.preventDefault();
    return run(dispatch(el, el));
  }
});

document.addEventListener('change', (e) => {
  const t = e.target as HTMLElement;
  if (t.id === 'person') {
    me = (t as HTMLSelectElement).value;
    localStorage.setItem('playground.person', me);
    thread = null;
    if (where.kind === 'home') return void openHome().catch(() => undefined);
    return void refresh();
  }
  if (t.matches('[data-fault]'))
    return void api('/ui/sandbox', { op: 'fault', fault: (t as HTMLInputElement).value }).then(refresh);
  const port = t.closest<HTMLElement>('[data-port]');
  if (port)
    return void api('/ui/sandbox', {
      op: 'port',
      id: port.dataset.port,
      status: (port as HTMLSelectElement).value,
    }).then(refresh);
  const stateEl = t.closest<HTMLElement>('[data-state][data-dispatch]');
  if (stateEl && !stateEl.classList.contains('external'))
    void dispatch(stateEl).catch((err: unknown) => toast(escapeHtml(String(err))));
});

let suggestTimer: ReturnType<typeof setTimeout> | undefined;
document.addEventListener('input', (e) => {
  const t = e.target as HTMLElement;
  if (t instanceof HTMLTextAreaElement && t.closest('.composer')) {
    completionIndex = 0;
    showCompletion(t);
    return;
  }
  const box = t.closest<HTMLElement>('.external');
  if (box && t instanceof HTMLInputElement) {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(
      () => void suggest(box, t.value).catch((err: unknown) => toast(escapeHtml(String(err)))),
      200,
    );
    return;
  }
  const input = t.closest<HTMLElement>('[data-dispatch-on~="on_character_entered"] [data-state]');
  if (input) {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(() => void dispatch(input), 400);
  }
});

document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (t instanceof HTMLTextAreaElement && t.closest('.composer')) {
    const box = t.closest('form')?.querySelector<HTMLElement>('.completion');
    const items = box && !box.hidden ? [...box.querySelectorAll<HTMLElement>('[data-insert]')] : [];
    if (items.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      completionIndex = (completionIndex + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      showCompletion(t);
      return;
    }
    if (items.length > 0 && e.key === 'Tab') {
      e.preventDefault();
      items[completionIndex]?.click();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send(t.closest('form') as HTMLFormElement);
    }
    return;
  }
  if (
    e.key === 'Enter' &&
    t.closest('[data-dispatch-on~="on_enter_pressed"]') &&
    t.matches('input[data-state]')
  ) {
    e.preventDefault();
    void dispatch(t);
  }
});

document.addEventListener('submit', (e) => {
  const form = (e.target as HTMLElement).closest<HTMLFormElement>('form.composer');
  if (!form) return;
  e.preventDefault();
  void send(form);
});

async function start() {
  emoji = (await api('/ui/emoji.json')) as Record<string, string>;
  const first = (await api(`/ui/state?user=${encodeURIComponent(me || 'U0')}`).catch(
    () => null,
  )) as State | null;
  const people = first?.people ?? [];
  if (!people.some((p) => p.id === me)) me = people[0]?.id ?? '';
  listen();
  await refresh();
}

void start();
