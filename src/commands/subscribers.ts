import type { AppDeps } from '../deps.js';
import { formatMpn } from '../onsim/identifiers.js';
import type { Group, Subscriber } from '../onsim/reseller.js';
import { echo, esc } from '../slack/text.js';
import { type ListCommand, type ListOutcome, runList, tally } from './list-command.js';
import { distance } from './suggest.js';
import type { Subcommand } from './types.js';

const EXAMPLE = '`/onsim subscribers ACME_LOGISTICS recorded`';
const RECORDING_WORDS: Record<string, boolean> = {
  recorded: true,
  unrecorded: false,
  notrecorded: false,
};

/** ONSIM writes "recorded" as a boolean, or as 'true'/'Y'/'ON'/1. */
export function isRecorded(s: Pick<Subscriber, 'is_recorded'>): boolean {
  const v = s.is_recorded;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return typeof v === 'string' && ['true', 'y', 'yes', 'on', '1'].includes(v.trim().toLowerCase());
}

/**
 * Up to `n` group names closest to what was typed: the ones containing it (or contained in it)
 * when there are any, else the nearest by edit distance.
 */
export function closestGroups(word: string, groups: readonly Group[], n = 3): string[] {
  const w = word.toLowerCase();
  const names = groups.map((g) => g.name);
  const containing = names.filter((name) => {
    const lower = name.toLowerCase();
    return lower.includes(w) || w.includes(lower);
  });
  if (containing.length > 0) return containing.sort((a, b) => a.localeCompare(b)).slice(0, n);
  return names
    .map((name) => ({ name, d: distance(w, name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, n)
    .map((g) => g.name);
}

interface Filter {
  /** As typed; matched against ONSIM's names case-insensitively. */
  group?: string;
  recorded?: boolean;
}

function parseFilter(args: readonly string[]): { ok: true; filter: Filter } | { ok: false; message: string } {
  const filter: Filter = {};
  const groupWords: string[] = [];
  for (const arg of args) {
    const recorded = RECORDING_WORDS[arg.toLowerCase().replace(/[\s_-]+/g, '')];
    if (recorded === undefined) {
      groupWords.push(arg);
    } else if (filter.recorded !== undefined && filter.recorded !== recorded) {
      return {
        ok: false,
        message: `⚠️ Choose \`recorded\` or \`unrecorded\`, not both (or neither, for everyone). Example: ${EXAMPLE}`,
      };
    } else {
      filter.recorded = recorded;
    }
  }
  if (groupWords.length > 0) filter.group = groupWords.join(' ');
  return { ok: true, filter };
}

const fullName = (s: Subscriber): string =>
  [s.first_name, s.last_name].filter((p) => p && p.trim() !== '').join(' ') || '(no name)';

async function fetchSubscribers(args: string[], deps: AppDeps): Promise<ListOutcome> {
  const parsed = parseFilter(args);
  if (!parsed.ok) return parsed;
  const { filter } = parsed;

  let group: string | undefined;
  if (filter.group !== undefined) {
    const typed = filter.group;
    const groups = await deps.onsim.reseller.listGroups();
    group = groups.find((g) => g.name.toLowerCase() === typed.toLowerCase())?.name;
    if (group === undefined) {
      const near = closestGroups(typed, groups);
      return {
        ok: false,
        message:
          `🔍 ONSIM has no group named ${echo(typed)}.` +
          (near.length > 0
            ? ` Closest: ${near.map((name) => echo(name)).join(', ')}.`
            : ' ONSIM lists no groups at all.') +
          ` \`/onsim groups\` lists every group; \`recorded\` and \`unrecorded\` are the only other words this takes. Example: ${EXAMPLE}`,
      };
    }
  }

  const found = await deps.onsim.reseller.listSubscribers({
    state: 'PROVISIONED',
    ...(group === undefined ? {} : { group }),
    ...(filter.recorded === undefined ? {} : { is_recorded: filter.recorded }),
  });
  const subscribers = [...found].sort(
    (a, b) =>
      (a.last_name ?? '').localeCompare(b.last_name ?? '', 'en', { sensitivity: 'base' }) ||
      (a.first_name ?? '').localeCompare(b.first_name ?? '', 'en', { sensitivity: 'base' }) ||
      (a.mpn ?? '').localeCompare(b.mpn ?? ''),
  );

  const recording = filter.recorded === undefined ? null : filter.recorded ? 'recorded' : 'not recorded';
  const title = `Subscribers${group ? ` of ${group}` : ''}${recording ? ` · ${recording}` : ''}`;
  const counts = tally(subscribers.map((s) => s.sim_type ?? 'unknown SIM'));
  const recordedCount = subscribers.filter(isRecorded).length;
  const intro = [
    counts,
    filter.recorded === undefined && subscribers.length > 0 ? `${recordedCount} recorded` : '',
    group ? '' : 'Narrow it: `/onsim subscribers &lt;group&gt; [recorded|unrecorded]`',
  ]
    .filter(Boolean)
    .join(' · ');

  return {
    ok: true,
    list: {
      title,
      intro,
      noun: ['subscriber', 'subscribers'],
      rows: subscribers.map((s) =>
        [
          `• *${esc(fullName(s))}*`,
          esc(formatMpn(s.mpn)),
          group ? '' : esc(s.group),
          esc(s.sim_type),
          s.bundle ? `\`${esc(s.bundle)}\`` : '',
          isRecorded(s) ? '🔴 recorded' : '',
          esc(s.email),
        ]
          .filter(Boolean)
          .join(' · '),
      ),
      empty: `No subscribers${group ? ` in *${esc(group)}*` : ''}${recording ? ` that are ${recording}` : ''}.`,
      table: {
        columns: [
          'first_name',
          'last_name',
          'mpn',
          'iccid',
          'i_account',
          'email',
          'group',
          'bundle',
          'sim_type',
          'recorded',
          'state',
        ],
        rows: subscribers.map((s) => [
          s.first_name,
          s.last_name,
          s.mpn,
          s.iccid,
          s.i_account,
          s.email,
          s.group,
          s.bundle,
          s.sim_type,
          isRecorded(s) ? 'yes' : 'no',
          s.state,
        ]),
      },
      fileStem: ['subscribers', group, recording].filter(Boolean).join('-'),
    },
  };
}

export const subscribersList: ListCommand = {
  name: 'subscribers',
  what: 'list the subscribers',
  fetch: fetchSubscribers,
};

export const subscribers: Subcommand = {
  name: 'subscribers',
  usage: 'subscribers [group] [recorded|unrecorded]',
  summary: 'Subscribers, optionally of one group and by call recording',
  role: 'viewer',
  run: (inv, deps) => runList(subscribersList, inv, deps),
};
