// The App Home tab: a dashboard of what needs attention (open ports, eSIMs not yet installed,
// lines near their data limit), the caller's recent actions, and quick actions. Pure: data in,
// Block Kit out. Each section says plainly when its data is missing or not yet in.
import type { ActionsBlock, Button, HomeView, KnownBlock, ModalView } from '@slack/types';
import { formatMpn } from '../onsim/identifiers.js';
import type { Port } from '../onsim/porting.js';
import { statusEmoji } from '../porting/alerts.js';
import { button, context, header, plainText, section, textInput } from '../slack/blocks.js';
import { SANDBOX_NOTE } from '../slack/message.js';
import { aRole, atLeast, type Role } from '../slack/roles.js';
import { esc } from '../slack/text.js';
import type { AuditEntry } from '../store/types.js';
import { auditTarget } from './audit.js';

export const ACTION_HOME_PROVISION = 'home_provision';
export const ACTION_HOME_LOOKUP = 'home_lookup';
/** value: the port id. */
export const ACTION_HOME_PORT_DETAILS = 'home_port_details';
export const HOME_LOOKUP_CALLBACK_ID = 'home_lookup_modal';
/** The look-up modal's one input: what ONSIM's account look-up is keyed on, or a name to find. */
export const BLOCK_LOOKUP_QUERY = 'mpn';
export const ACTION_LOOKUP_QUERY = 'lookup_query';
/** In the look-up modal's list of matches; value: the MPN. */
export const ACTION_LOOKUP_OPEN = 'home_lookup_open';

/** Slack's limit for a Home view. */
export const HOME_BLOCKS_MAX = 100;
/** Open ports listed one by one (each with its "details" button); the rest are counted. */
export const HOME_PORTS_MAX = 15;
export const HOME_AUDIT_MAX = 8;
export const HOME_ESIMS_MAX = 10;
export const HOME_USAGE_MAX = 10;

/** States of a port still under way, failures first: what someone has to act on. */
export const OPEN_PORT_STATES = ['FAILED', 'IN PROGRESS', 'INITIAL'] as const;

/** One section's data: what is known, and why the rest is missing. */
export interface Known<T> {
  items: readonly T[];
  /** Where the data came from, e.g. "live from ONSIM" or "as the porting watcher saw them at …". */
  source?: string;
  /** mrkdwn: why the data is incomplete or missing (ONSIM slow, down…); shown as a warning. */
  missing?: string;
}

export interface HomeEsim {
  mpn: string | null;
  iccid: string;
  startedAt: number;
  channelId: string | null;
}

export interface HomeUsage {
  mpn: string;
  percent: number;
  bundle: string | null;
  channelId: string;
}

export interface HomeData {
  role: Role;
  sandbox: boolean;
  ports: Known<Port>;
  audit: Known<AuditEntry> & { everyone: boolean };
  esims?: Known<HomeEsim>;
  usage?: Known<HomeUsage>;
}

/** `<!date…>` shows the time in each reader's own time zone; the fallback is UTC. */
export function slackTime(ms: number): string {
  const fallback = `${new Date(ms).toISOString().slice(11, 16)} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

function notes<T>(known: Known<T>): KnownBlock[] {
  const out: KnownBlock[] = [];
  if (known.missing) out.push(context(`⚠️ ${known.missing}`));
  else if (known.source) out.push(context(known.source));
  return out;
}

const portRank = (status: string): number => {
  const i = (OPEN_PORT_STATES as readonly string[]).indexOf(status.toUpperCase());
  return i < 0 ? OPEN_PORT_STATES.length : i;
};

export const isOpenPort = (p: Port): boolean => portRank(p.status) < OPEN_PORT_STATES.length;

function portsSection(ports: Known<Port>): KnownBlock[] {
  const open = ports.items
    .filter(isOpenPort)
    .sort(
      (a, b) =>
        portRank(a.status) - portRank(b.status) || a.trID.localeCompare(b.trID, 'en', { numeric: true }),
    );
  const blocks: KnownBlock[] = [header('🔀 Open ports')];
  if (open.length === 0) {
    blocks.push(section(ports.missing ? 'No ports known yet.' : 'No port is under way.'));
    return [...blocks, ...notes(ports)];
  }
  const tally = OPEN_PORT_STATES.map(
    (s) => [s, open.filter((p) => p.status.toUpperCase() === s).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${statusEmoji(s)} ${n} ${s}`)
    .join(' · ');
  blocks.push(context(tally));
  for (const p of open.slice(0, HOME_PORTS_MAX)) {
    const status = p.status.toUpperCase() === 'FAILED' ? `*${esc(p.status)}*` : esc(p.status);
    const into = p.number ? ` → ${esc(formatMpn(p.number))}` : '';
    const date = p.portinDate ? ` · port-in ${esc(p.portinDate)}` : '';
    blocks.push(
      section(
        `${statusEmoji(p.status)} ${status} · *${esc(formatMpn(p.portinNumber || p.number))}*${into}${date} · #${esc(p.trID)}`,
        button('Details', ACTION_HOME_PORT_DETAILS, p.trID),
      ),
    );
  }
  if (open.length > HOME_PORTS_MAX) {
    blocks.push(context(`…and ${open.length - HOME_PORTS_MAX} more: \`/onsim ports\` lists them all.`));
  }
  return [...blocks, ...notes(ports)];
}

function esimsSection(esims: Known<HomeEsim>): KnownBlock[] {
  const blocks: KnownBlock[] = [header('📲 eSIMs waiting to be installed')];
  if (esims.items.length === 0) {
    blocks.push(section('None: every eSIM the bot sent out has been installed or given up on.'));
  } else {
    const lines = esims.items.slice(0, HOME_ESIMS_MAX).map((e) => {
      const who = e.mpn ? `*${esc(formatMpn(e.mpn))}*` : `SIM \`${esc(e.iccid)}\``;
      const where = e.channelId ? ` in <#${e.channelId}>` : '';
      return `⏳ ${who} · sent ${slackTime(e.startedAt)}${where}`;
    });
    if (esims.items.length > HOME_ESIMS_MAX) lines.push(`…and ${esims.items.length - HOME_ESIMS_MAX} more.`);
    blocks.push(section(lines.join('\n')));
  }
  return [...blocks, ...notes(esims)];
}

function usageSection(usage: Known<HomeUsage>): KnownBlock[] {
  const blocks: KnownBlock[] = [header('📶 Lines near their data limit')];
  if (usage.items.length === 0) {
    blocks.push(
      section(
        'None of the watched lines is near its limit. `/onsim usage watch <mpn>` adds one.'
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;'),
      ),
    );
  } else {
    const sorted = [...usage.items].sort((a, b) => b.percent - a.percent);
    const lines = sorted.slice(0, HOME_USAGE_MAX).map((u) => {
      const icon = u.percent >= 100 ? '🔴' : '🟠';
      const bundle = u.bundle ? ` of ${esc(u.bundle)}` : '';
      return `${icon} *${esc(formatMpn(u.mpn))}* · ${Math.floor(u.percent)}% used${bundle} · watched in <#${u.channelId}>`;
    });
    if (sorted.length > HOME_USAGE_MAX) lines.push(`…and ${sorted.length - HOME_USAGE_MAX} more.`);
    blocks.push(section(lines.join('\n')));
  }
  return [...blocks, ...notes(usage)];
}

function auditSection(audit: HomeData['audit']): KnownBlock[] {
  const blocks: KnownBlock[] = [
    header(audit.everyone ? '🧾 Latest actions (everyone)' : '🧾 Your recent actions'),
  ];
  if (audit.items.length === 0 && !audit.missing) {
    blocks.push(
      section(audit.everyone ? 'Nothing in the audit trail yet.' : 'You have not changed anything yet.'),
    );
  }
  for (const e of audit.items.slice(0, HOME_AUDIT_MAX)) {
    const who = audit.everyone ? ` · <@${e.userId}>` : '';
    const where = e.channelId ? ` in <#${e.channelId}>` : '';
    blocks.push(
      context(
        `${slackTime(e.at)} · *${esc(e.operation)}*${auditTarget(e, 60)} · ${e.event.replace('_', ' ')}${who}${where}`,
      ),
    );
  }
  return [...blocks, ...notes(audit)];
}

/** Keeps a view under Slack's 100 blocks: whole sections are cut from the end, then said so. */
function withinLimit(sections: KnownBlock[][]): KnownBlock[] {
  const out: KnownBlock[] = [];
  const room = HOME_BLOCKS_MAX - 1;
  for (const s of sections) {
    if (out.length + s.length > room) {
      out.push(...s.slice(0, Math.max(0, room - out.length)));
      out.push(context('Some of the dashboard was left out to stay within Slack\u2019s limits.'));
      return out.slice(0, HOME_BLOCKS_MAX);
    }
    out.push(...s);
  }
  return out;
}

export function homeView(data: HomeData): HomeView {
  const top: KnownBlock[] = [];
  if (data.sandbox) top.push(context(SANDBOX_NOTE));
  top.push(header('ONSIM operations'));
  top.push(
    section(
      `You are ${aRole(data.role)}. Type \`/onsim help\` in any channel for the commands your role allows.`,
    ),
  );
  const buttons: Button[] = [];
  if (atLeast(data.role, 'operator'))
    buttons.push(button('Provision a SIM', ACTION_HOME_PROVISION, 'home', 'primary'));
  buttons.push(button('Look up an account', ACTION_HOME_LOOKUP, 'home'));
  const actions: ActionsBlock = { type: 'actions', block_id: 'home_actions', elements: buttons };
  top.push(actions);

  const sections: KnownBlock[][] = [top, portsSection(data.ports)];
  if (data.esims) sections.push(esimsSection(data.esims));
  if (data.usage) sections.push(usageSection(data.usage));
  sections.push(auditSection(data.audit));
  sections.push([
    { type: 'divider' },
    context('Destructive steps always ask you to confirm. Refreshed each time you open this tab.'),
  ]);
  return { type: 'home', blocks: withinLimit(sections) };
}

// ---- "Look up an account" modal ------------------------------------------------------------

const TITLE = 'Look up an account';

export function lookupModal(opts: { error?: string } = {}): ModalView {
  return {
    type: 'modal',
    callback_id: HOME_LOOKUP_CALLBACK_ID,
    title: plainText(TITLE),
    submit: plainText('Look up'),
    close: plainText('Close'),
    blocks: [
      textInput(BLOCK_LOOKUP_QUERY, 'Number, ICCID or name', {
        actionId: ACTION_LOOKUP_QUERY,
        hint: 'e.g. 07700 900123, +44 7700 900123, 8944530100000001022 or Bennett',
        maxLength: 100,
        focusOnLoad: true,
        placeholder: 'MPN, ICCID or name',
      }),
      ...(opts.error ? [context(`⚠️ ${opts.error}`)] : []),
    ],
  };
}

/** Marks the answer modal, whose empty "look up another" just closes it. */
export const LOOKUP_ANSWER_METADATA = 'answer';

/** The answer shown in the look-up modal: a card, a list of matches to pick from, or a notice. */
export function lookupAnswerModal(blocks: KnownBlock[]): ModalView {
  return {
    type: 'modal',
    callback_id: HOME_LOOKUP_CALLBACK_ID,
    private_metadata: LOOKUP_ANSWER_METADATA,
    title: plainText(TITLE),
    submit: plainText('Look up another'),
    close: plainText('Close'),
    blocks: [
      ...blocks.slice(0, HOME_BLOCKS_MAX - 2),
      textInput(BLOCK_LOOKUP_QUERY, 'Look up another', {
        actionId: ACTION_LOOKUP_QUERY,
        optional: true,
        maxLength: 100,
        placeholder: 'MPN, ICCID or name',
      }),
    ],
  };
}

export function matchesBlocks(
  matches: readonly { mpn: string; name: string; group?: string }[],
  total: number,
): KnownBlock[] {
  const blocks: KnownBlock[] = [section(`*${total} matches.* Pick one:`)];
  for (const m of matches) {
    blocks.push(
      section(
        `*${esc(m.name)}* · ${esc(formatMpn(m.mpn))}${m.group ? ` · ${esc(m.group)}` : ''}`,
        button('Open', ACTION_LOOKUP_OPEN, m.mpn),
      ),
    );
  }
  if (total > matches.length)
    blocks.push(
      context(
        `…and ${total - matches.length} more: type more of the name, or use \`/onsim find\` in a channel.`,
      ),
    );
  return blocks;
}
