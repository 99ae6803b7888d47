// `/onsim ports [state …]` lists ports; `ports watch|unwatch|watching` manage this channel's
// porting alerts (the watcher itself lives in src/porting/).
import type { KnownBlock } from '@slack/types';
import type { AppDeps } from '../deps.js';
import { audit } from '../guard/audit.js';
import { formatMpn } from '../onsim/identifiers.js';
import { PORT_STATES, type Port, type PortState } from '../onsim/porting.js';
import { statusEmoji } from '../porting/alerts.js';
import { normaliseStatus } from '../porting/diff.js';
import {
  describeFilter,
  maskPac,
  OUTBOX_KINDS,
  parseWatchFilter,
  readPause,
  SLACK_PAUSED_KV,
  type WatchFilter,
} from '../porting/index.js';
import { section } from '../slack/blocks.js';
import { shownCode, slackErrorCode } from '../slack/error-code.js';
import { badge, plain } from '../slack/message.js';
import { clip, echo, esc, mention } from '../slack/text.js';
import type { OutboxItem, PortWatch } from '../store/types.js';
import { listMessage } from '../views/list.js';
import { mayDo } from './invocation.js';
import { type ListCommand, type ListOutcome, plural, runList } from './list-command.js';
import type { Invocation, Subcommand } from './types.js';

const OPEN_STATES: readonly PortState[] = ['INITIAL', 'IN PROGRESS'];
const STATE_CHOICES = `${PORT_STATES.map((s) => `\`${s.toLowerCase().replace(' ', '-')}\``).join(', ')}, \`open\` (INITIAL and IN PROGRESS, the default) or \`all\``;
const LIST_EXAMPLE = '`/onsim ports in-progress`';
const WATCH_WORDS = ['watch', 'unwatch', 'watching'] as const;

export type PortSelection = { kind: 'open' } | { kind: 'all' } | { kind: 'states'; states: PortState[] };

const isPortState = (word: string): word is PortState => (PORT_STATES as readonly string[]).includes(word);

/**
 * The states of `ports [state …]`, in any case: `in-progress`, `in_progress`, `"IN PROGRESS"` and
 * `in progress` all mean IN PROGRESS; `open` (the default) means INITIAL and IN PROGRESS.
 */
export function parsePortSelection(
  args: readonly string[],
): { ok: true; selection: PortSelection } | { ok: false; message: string } {
  const words = normaliseStatus(args.join(' ')).split(' ').filter(Boolean);
  if (words.length === 0) return { ok: true, selection: { kind: 'open' } };
  const states = new Set<PortState>();
  let all = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === 'IN' && words[i + 1] === 'PROGRESS') {
      states.add('IN PROGRESS');
      i++;
    } else if (word === 'INPROGRESS') {
      states.add('IN PROGRESS');
    } else if (word === 'COMPLETED') {
      states.add('COMPLETE');
    } else if (isPortState(word)) {
      states.add(word);
    } else if (word === 'OPEN') {
      for (const s of OPEN_STATES) states.add(s);
    } else if (word === 'ALL') {
      all = true;
    } else {
      return {
        ok: false,
        message: `⚠️ ${echo(word.toLowerCase())} is not a port state. Valid: ${STATE_CHOICES}. Example: ${LIST_EXAMPLE}`,
      };
    }
  }
  if (all && states.size > 0) {
    return {
      ok: false,
      message: `⚠️ \`all\` already means every state: give \`all\` alone, or only the states you want. Example: ${LIST_EXAMPLE}`,
    };
  }
  if (all) return { ok: true, selection: { kind: 'all' } };
  const open = states.size === OPEN_STATES.length && OPEN_STATES.every((s) => states.has(s));
  if (open) return { ok: true, selection: { kind: 'open' } };
  return { ok: true, selection: { kind: 'states', states: PORT_STATES.filter((s) => states.has(s)) } };
}

/** One ONSIM call: the state itself when only one is asked for, else ALL, filtered here. */
async function fetchPorts(selection: PortSelection, deps: AppDeps): Promise<Port[]> {
  if (selection.kind === 'all') return deps.onsim.porting.list('ALL');
  const wanted = selection.kind === 'open' ? OPEN_STATES : selection.states;
  const [only] = wanted;
  if (wanted.length === 1 && only) return deps.onsim.porting.list(only);
  const all = await deps.onsim.porting.list('ALL');
  return all.filter((p) => (wanted as readonly string[]).includes(normaliseStatus(p.status)));
}

/** `FAILED` in bold with its emoji: ports' status at a glance. */
function statusText(status: string): string {
  const s = normaliseStatus(status);
  return `${statusEmoji(s)} ${s === 'FAILED' ? '*FAILED*' : esc(s)}`;
}

const byPortDate = (a: Port, b: Port): number =>
  (a.portinDate ?? '').localeCompare(b.portinDate ?? '') ||
  a.trID.localeCompare(b.trID, 'en', { numeric: true });

function portRow(p: Port): string {
  const target = p.portinNumber || p.number;
  return [
    `• ${statusText(p.status)}`,
    `*${esc(formatMpn(target))}*${p.portinNumber && p.number ? ` → ${esc(formatMpn(p.number))}` : ''}`,
    `PAC ${esc(maskPac(p.PAC))}`,
    p.portinDate ? `port-in ${esc(p.portinDate)}` : '',
    `id \`${esc(p.trID)}\``,
  ]
    .filter(Boolean)
    .join(' · ');
}

export const portsList: ListCommand = {
  name: 'ports',
  what: 'list ports',
  async fetch(args, deps): Promise<ListOutcome> {
    const parsed = parsePortSelection(args);
    if (!parsed.ok) return parsed;
    const { selection } = parsed;
    const ports = [...(await fetchPorts(selection, deps))].sort(byPortDate);
    const counts = PORT_STATES.map((s) => ({
      s,
      n: ports.filter((p) => normaliseStatus(p.status) === s).length,
    })).filter(({ n }) => n > 0);
    const title =
      selection.kind === 'open'
        ? 'Open ports'
        : selection.kind === 'all'
          ? 'All ports'
          : `Ports: ${selection.states.join(', ')}`;
    const intro = [
      counts.map(({ s, n }) => `${statusEmoji(s)} ${n} ${s}`).join(' · '),
      selection.kind === 'open' ? 'INITIAL and IN PROGRESS; `/onsim ports all` for every state' : '',
      '`/onsim port &lt;id&gt;` for one',
    ]
      .filter(Boolean)
      .join(' · ');
    const what = selection.kind === 'states' ? selection.states.join(' or ') : selection.kind;
    return {
      ok: true,
      list: {
        title,
        intro,
        noun: ['port', 'ports'],
        rows: ports.map(portRow),
        empty: selection.kind === 'all' ? 'ONSIM lists no ports.' : `No ${esc(what)} ports right now.`,
        table: {
          columns: [
            'port_id',
            'status',
            'portin_number',
            'onsim_mpn',
            'type',
            'pac',
            'order_date',
            'portin_date',
            'valid_until',
            'updated',
          ],
          rows: ports.map((p) => [
            p.trID,
            normaliseStatus(p.status),
            p.portinNumber,
            p.number,
            p.type,
            maskPac(p.PAC),
            p.orderDate,
            p.portinDate,
            p.validUntil,
            p.updatedDate,
          ]),
        },
        fileStem: `ports-${what.toLowerCase().replace(/ or /g, '-')}`,
      },
    };
  },
};

// ---- Watches ---------------------------------------------------------------------------------

const WATCH_USAGE = '`/onsim ports watch [STATE …] [number]`';

function interval(deps: AppDeps): string {
  const s = deps.config.portingPollSeconds;
  return s < 120 ? `${s} seconds` : `${Math.round(s / 60)} minutes`;
}

/** `<!date…>` shows the time in each reader's own time zone; the fallback is UTC. */
function slackDate(ms: number): string {
  const utc = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${utc}>`;
}

const sameFilter = (w: PortWatch, f: WatchFilter): boolean =>
  w.number === f.number && w.states.length === f.states.length && w.states.every((s) => f.states.includes(s));

/**
 * Leaves a channel-visible record of a watch change. Returns a warning for the caller when the
 * bot cannot post here, because then the alerts cannot arrive either.
 */
async function recordInChannel(inv: Invocation, deps: AppDeps, text: string): Promise<string> {
  try {
    await inv.client.chat.postMessage({ channel: inv.channelId, ...badge(plain(text), deps.sandbox) });
    return '';
  } catch (err) {
    const code = slackErrorCode(err);
    inv.log.warn({ err, channel: inv.channelId }, 'could not post the watch record in the channel');
    if (code && ['not_in_channel', 'channel_not_found', 'is_archived'].includes(code)) {
      return `\n⚠️ I cannot post in this channel (${shownCode(code)}), so alerts cannot arrive here yet: add me to the channel (\`/invite\`) first.`;
    }
    return `\n⚠️ Slack did not take my note in this channel${code ? ` (${shownCode(code)})` : ''}.`;
  }
}

async function watch(inv: Invocation, deps: AppDeps): Promise<void> {
  if (!(await mayDo(inv, deps, 'operator', 'ports watch', inv.channelId))) return;
  const parsed = parseWatchFilter(inv.args.slice(1).join(' '));
  if (!parsed.ok) {
    await inv.reply(plain(`⚠️ ${esc(parsed.error)}`));
    return;
  }
  const filter = parsed.value;
  const described = esc(describeFilter(filter));
  const existing = (await deps.store.listWatches(inv.channelId)).find((w) => sameFilter(w, filter));
  if (existing) {
    await inv.reply(
      plain(
        `ℹ️ This channel already follows *${described}* (set up by ${mention(existing.createdBy)} ${slackDate(existing.createdAt)}). Nothing changed.`,
      ),
    );
    return;
  }
  await deps.store.addWatch({
    channelId: inv.channelId,
    states: filter.states,
    number: filter.number,
    createdBy: inv.userId,
    createdAt: deps.now(),
  });
  await audit(deps, inv.client, {
    userId: inv.userId,
    channelId: inv.channelId,
    operation: 'ports watch',
    target: inv.channelId,
    event: 'succeeded',
    detail: describeFilter(filter),
  });
  const warning = await recordInChannel(
    inv,
    deps,
    `👀 ${mention(inv.userId)} set this channel to follow *${described}*. Each change is posted here within about ${interval(deps)}.`,
  );
  await inv.reply(
    plain(
      `✅ Watching *${described}* in this channel. \`/onsim ports watching\` lists this channel's watches; \`/onsim ports unwatch\` stops them.${warning}`,
    ),
  );
}

async function unwatch(inv: Invocation, deps: AppDeps): Promise<void> {
  if (!(await mayDo(inv, deps, 'operator', 'ports unwatch', inv.channelId))) return;
  if (inv.args.length > 1) {
    await inv.reply(
      plain(
        `⚠️ \`/onsim ports unwatch\` stops every watch of this channel and takes nothing more (got ${echo(inv.args.slice(1).join(' '))}). To follow less, unwatch, then watch again, e.g. ${WATCH_USAGE.replace('[STATE …] [number]', 'FAILED')}.`,
      ),
    );
    return;
  }
  const before = await deps.store.listWatches(inv.channelId);
  if (before.length === 0) {
    await inv.reply(
      plain(`ℹ️ This channel follows no ports, so there is nothing to stop. ${WATCH_USAGE} starts.`),
    );
    return;
  }
  const removed = await deps.store.removeWatches(inv.channelId);
  const what = before.map((w) => describeFilter(w)).join('; ');
  await audit(deps, inv.client, {
    userId: inv.userId,
    channelId: inv.channelId,
    operation: 'ports unwatch',
    target: inv.channelId,
    event: 'succeeded',
    detail: `removed ${plural(removed, ['watch', 'watches'])}: ${what}`,
  });
  const warning = await recordInChannel(
    inv,
    deps,
    `🔕 ${mention(inv.userId)} stopped porting alerts in this channel (${esc(what)}).`,
  );
  await inv.reply(
    plain(`✅ Stopped ${plural(removed, ['watch', 'watches'])} in this channel: ${esc(what)}.${warning}`),
  );
}

async function watching(inv: Invocation, deps: AppDeps): Promise<void> {
  if (inv.args.length > 1) {
    await inv.reply(
      plain(
        `⚠️ \`/onsim ports watching\` lists this channel's watches and takes nothing more (got ${echo(inv.args.slice(1).join(' '))}).`,
      ),
    );
    return;
  }
  const [watches, dead, slackPaused] = await Promise.all([
    deps.store.listWatches(inv.channelId),
    deps.store.deadOutbox({ channelId: inv.channelId, limit: DEAD_SHOWN }),
    deps.store.getKv(SLACK_PAUSED_KV),
  ]);
  const list = listMessage({
    title: 'Porting alerts in this channel',
    intro: `ONSIM is checked every ${interval(deps)}. Operators: ${WATCH_USAGE} adds a watch, \`/onsim ports unwatch\` stops them all.`,
    rows: watches.map(
      (w) => `• *${esc(describeFilter(w))}* — set up by ${mention(w.createdBy)} ${slackDate(w.createdAt)}`,
    ),
    noun: ['watch', 'watches'],
    page: inv.page,
    pageSize: 40,
    commandText: inv.text,
    empty: `This channel follows no ports. An operator can start with \`/onsim ports watch FAILED COMPLETE\` (or ${WATCH_USAGE}).`,
  });
  await inv.reply({ ...list, blocks: [...list.blocks, ...deliveryTrouble(dead, slackPaused)] });
}

const DEAD_SHOWN = 10;

/** Alerts of the channel Slack refused for good, and a pause of all delivery, when there are any. */
function deliveryTrouble(dead: readonly OutboxItem[], slackPaused: string | null): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (slackPaused !== null) {
    const { since, reason } = readPause(slackPaused);
    const when = Number.isFinite(since) ? ` since ${slackDate(since)}` : '';
    blocks.push(
      section(
        `⏸️ *Slack is refusing every porting alert*${when} (${shownCode(reason)}): they are kept and will be posted, in order, as soon as Slack takes them again. An admin should check the bot's token and scopes.`,
      ),
    );
  }
  if (dead.length > 0) {
    const lines = dead.map(
      (item) =>
        `• ${esc(deadWhat(item))} — ${reasonText(item.lastError ?? 'refused')}, ${slackDate(item.deadAt ?? item.createdAt)}`,
    );
    blocks.push(
      section(
        clip(
          `⚠️ *Alerts Slack refused for good* (latest ${dead.length}; the log has each one):\n${lines.join('\n')}`,
          2900,
        ),
      ),
    );
  }
  return blocks;
}

/** A Slack error code as code; any other reason as words. */
const reasonText = (reason: string): string =>
  /^[a-z0-9_.-]+$/i.test(reason) ? shownCode(reason) : esc(clip(reason, 120));

function deadWhat(item: OutboxItem): string {
  const port = item.portId ? ` of port ${item.portId}` : '';
  switch (item.kind) {
    case OUTBOX_KINDS.alert:
      return `Alert${port}`;
    case OUTBOX_KINDS.parent:
      return `Update of the message${port}`;
    case OUTBOX_KINDS.summary:
      return 'Summary of port changes';
    case OUTBOX_KINDS.notice:
      return 'Notice about ONSIM';
    default:
      return item.kind;
  }
}

export const ports: Subcommand = {
  name: 'ports',
  usage: 'ports [state] | ports watch [STATE …] [number] | ports unwatch | ports watching',
  summary:
    'Ports by state (default: the open ones); watch, unwatch and watching manage porting alerts in this channel (operators)',
  role: 'viewer',
  async run(inv, deps) {
    const word = inv.args[0]?.toLowerCase();
    const sub = WATCH_WORDS.find((w) => w === word);
    if (sub === 'watch') return watch(inv, deps);
    if (sub === 'unwatch') return unwatch(inv, deps);
    if (sub === 'watching') return watching(inv, deps);
    return runList(portsList, inv, deps);
  },
};
