import type { Button, KnownBlock } from '@slack/types';
import type { Account, DataBundle } from '../onsim/account.js';
import { formatMpn } from '../onsim/identifiers.js';
import { button, field, header } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { atLeast, type Role } from '../slack/roles.js';
import { clip, esc } from '../slack/text.js';
import {
  ACTION_ACCOUNT_BUNDLE,
  ACTION_ACCOUNT_CEASE,
  ACTION_ACCOUNT_QR,
  ACTION_ACCOUNT_RECORDING,
  ACTION_ACCOUNT_SETTINGS,
} from './action-ids.js';
import { type ButtonRef, code, onOff, shareButton } from './card.js';

export const ACCOUNT_ACTIONS_BLOCK = 'account_actions';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BAR_CELLS = 10;
/** Usage from which the card warns that the allowance is nearly used up. */
const NEARLY_USED_PCT = 90;

const MB_PER_UNIT: Record<string, number> = {
  byte: 1 / 1024 ** 2,
  bytes: 1 / 1024 ** 2,
  b: 1 / 1024 ** 2,
  kilobyte: 1 / 1024,
  kilobytes: 1 / 1024,
  kb: 1 / 1024,
  megabyte: 1,
  megabytes: 1,
  mb: 1,
  gigabyte: 1024,
  gigabytes: 1024,
  gb: 1024,
};

/** A data amount in ONSIM's unit (megabytes unless it says otherwise) as megabytes; null for an unknown unit. */
export function toMegabytes(amount: number, unit: string | undefined): number | null {
  const factor = MB_PER_UNIT[(unit ?? 'megabyte').trim().toLowerCase()];
  return factor === undefined ? null : amount * factor;
}

/** `628` → `628 MB`, `9612` → `9.4 GB`, `10240` → `10 GB`, `512000` → `500 GB` (1 GB = 1024 MB, as ONSIM counts). */
export function formatMegabytes(mb: number): string {
  if (Math.abs(mb) < 1024) return `${Math.round(mb)} MB`;
  const gb = mb / 1024;
  const shown = Math.abs(gb) < 100 ? String(Number(gb.toFixed(1))) : String(Math.round(gb));
  return `${shown} GB`;
}

/** Whole percent used; rounded down below the allowance, so "100%" only ever means used up. */
export function usagePercent(used: number, allowance: number): number {
  if (allowance <= 0) return 0;
  const exact = (used / allowance) * 100;
  return used >= allowance ? Math.round(exact) : Math.floor(exact);
}

/** `▰▰▰▱▱▱▱▱▱▱ 31%`; over 100% the bar is full and the figure says by how much. */
export function usageBar(used: number, allowance: number): string {
  const exact = allowance > 0 ? (used / allowance) * 100 : 0;
  const filled = Math.min(BAR_CELLS, Math.max(0, Math.round(exact / (100 / BAR_CELLS))));
  return `${'▰'.repeat(filled)}${'▱'.repeat(BAR_CELLS - filled)} ${usagePercent(used, allowance)}%`;
}

/**
 * ONSIM's dates are not ISO (`2026-11-01 00:00:00`): `1 Nov 2026`, with the time only when it is not
 * midnight. Text that does not look like a date is shown as it came.
 */
export function formatOnsimDate(text: string, opts: { year?: boolean } = {}): string {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?/.exec(text);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  if (!m || !month) return text.trim();
  const time = m[4] && `${m[4]}:${m[5]}` !== '00:00' ? ` ${m[4]}:${m[5]}` : '';
  return `${Number(m[3])} ${month}${opts.year === false ? '' : ` ${m[1]}`}${time}`;
}

/** `1 Nov – 1 Dec 2026` (the year once when both ends share it). */
export function formatPeriod(from: string | undefined, to: string | undefined): string | undefined {
  if (!from && !to) return undefined;
  if (!from || !to) return from ? `from ${formatOnsimDate(from)}` : `until ${formatOnsimDate(to ?? '')}`;
  const sameYear = from.trim().slice(0, 4) === to.trim().slice(0, 4) && /^\d{4}-/.test(from.trim());
  return `${formatOnsimDate(from, { year: !sameYear })} – ${formatOnsimDate(to)}`;
}

function fullName(a: Account): string {
  return [a.first_name, a.last_name]
    .map((s) => s?.trim())
    .filter(Boolean)
    .join(' ');
}

/** The data bundle as mrkdwn lines, plus a short fallback phrase for the notification text. */
function bundleSummary(data: DataBundle): { mrkdwn: string; brief: string } {
  const name = data.bundle_name?.trim() || 'data bundle';
  const title = `*Data bundle:* ${esc(clip(name, 100))}`;
  const period = formatPeriod(data.period_from, data.period_to);
  const periodLine = period ? `\n🗓️ Period ${esc(clip(period, 120))}` : '';

  const used = data.used === undefined ? undefined : toMegabytes(data.used, data.unit);
  const allowance = data.allowance === undefined ? undefined : toMegabytes(data.allowance, data.unit);
  if (used === null || allowance === null) {
    // A unit the bot does not know: show ONSIM's figures as they are.
    const unit = esc(clip(data.unit ?? '', 30));
    const figures = [
      data.used !== undefined ? `${data.used} ${unit} used` : '',
      data.allowance !== undefined ? `of ${data.allowance} ${unit}` : '',
      data.remaining !== undefined ? `· ${data.remaining} ${unit} left` : '',
    ]
      .filter(Boolean)
      .join(' ');
    return { mrkdwn: `${title}\n${figures}${periodLine}`, brief: name };
  }
  if (allowance === undefined) {
    const line = used === undefined ? 'No usage figures from ONSIM.' : `${formatMegabytes(used)} used`;
    return { mrkdwn: `${title}\n${line}${periodLine}`, brief: name };
  }
  if (allowance <= 0) {
    const extra = used && used > 0 ? ` (${formatMegabytes(used)} used)` : '';
    return {
      mrkdwn: `${title}\n🚫 No data allowance: calls and SMS only${extra}.${periodLine}`,
      brief: `${name}, no data allowance`,
    };
  }
  const usedMb = used ?? 0;
  const remainingRaw = data.remaining === undefined ? undefined : toMegabytes(data.remaining, data.unit);
  const remaining = remainingRaw ?? Math.max(0, allowance - usedMb);
  const bar = usageBar(usedMb, allowance);
  const pct = usagePercent(usedMb, allowance);
  const warning =
    usedMb >= allowance ? '  🔴 *used up*' : pct >= NEARLY_USED_PCT ? '  🟠 *nearly used up*' : '';
  const figures = `${formatMegabytes(usedMb)} used of ${formatMegabytes(allowance)} · *${formatMegabytes(remaining)} left*`;
  return {
    mrkdwn: `${title}\n\`${bar}\`${warning}\n${figures}${periodLine}`,
    brief: `${name} ${pct}% used`,
  };
}

export interface AccountCardOptions {
  /** The viewer's role: write buttons appear only when it allows them. */
  role: Role;
  /** The router's "Share in channel" button, when the card is a look-up answer. */
  share?: ButtonRef;
}

/** One subscriber at a glance: who, which SIM, each service on/off, data used and left, next actions. */
export function accountCard(account: Account, opts: AccountCardOptions): Message {
  const mpn = formatMpn(account.mpn);
  const name = fullName(account);
  const blocks: KnownBlock[] = [header(`📱 ${mpn}${name ? ` · ${name}` : ''}`)];

  const ids: string[] = [
    `*SIM (ICCID)*\n${account.sim ? code(account.sim) : '—'}`,
    `*Account id (i_account)*\n${account.i_account ? code(account.i_account) : '—'}`,
    `*SIP address*\n${account.sip_address ? code(account.sip_address, 300) : '—'}`,
  ];
  if (account.group) ids.push(`*Group*\n${esc(clip(account.group, 100))}`);
  if (account.email) ids.push(`*Email*\n${esc(clip(account.email, 200))}`);
  blocks.push({ type: 'section', block_id: 'account_ids', fields: ids.map(field) });

  const s = account.services;
  const services = [
    `*Voice*\n${onOff(s.mobile_voice)}`,
    `*SMS*\n${onOff(s.mobile_messaging)}`,
    `*Data*\n${onOff(s.mobile_data)}`,
    `*Hotspot*\n${onOff(s.mobile_hotspot)}`,
  ];
  const recordingKnown = account.voice_recording !== undefined || account.sms_recording !== undefined;
  if (recordingKnown) {
    services.push(
      `*Recording*\nVoice ${onOff(account.voice_recording)} · SMS ${onOff(account.sms_recording)}`,
    );
  }
  blocks.push({
    type: 'section',
    block_id: 'account_services',
    text: { type: 'mrkdwn', text: '*Services*' },
    fields: services.map(field),
  });

  const data = account.bundles.data;
  const bundle = data ? bundleSummary(data) : undefined;
  blocks.push({
    type: 'section',
    block_id: 'account_bundle',
    text: { type: 'mrkdwn', text: bundle?.mrkdwn ?? '*Data bundle:* ONSIM reported none.' },
  });

  const buttons: Button[] = [];
  if (atLeast(opts.role, 'operator')) {
    buttons.push(
      button('🔳 QR code', ACTION_ACCOUNT_QR, account.mpn),
      button('📦 Change bundle', ACTION_ACCOUNT_BUNDLE, account.mpn),
      button('⚙️ Settings', ACTION_ACCOUNT_SETTINGS, account.mpn),
      button('⏺️ Recording', ACTION_ACCOUNT_RECORDING, account.mpn),
    );
  }
  if (atLeast(opts.role, 'admin'))
    buttons.push(button('🛑 Cease SIM', ACTION_ACCOUNT_CEASE, account.mpn, 'danger'));
  if (opts.share) buttons.push(shareButton(opts.share));
  if (buttons.length > 0)
    blocks.push({ type: 'actions', block_id: ACCOUNT_ACTIONS_BLOCK, elements: buttons });

  const serviceText = `voice ${word(s.mobile_voice)}, SMS ${word(s.mobile_messaging)}, data ${word(s.mobile_data)}, hotspot ${word(s.mobile_hotspot)}`;
  // The notification text is parsed like mrkdwn too: ONSIM's words are escaped there as well.
  const text = `Account ${esc(mpn)}${name ? ` (${esc(name)})` : ''}: ${serviceText}${bundle ? `; ${esc(bundle.brief)}` : ''}`;
  return { text: clip(text, 3000), blocks };
}

const word = (v: 'ON' | 'OFF' | undefined): string => (v === 'ON' ? 'on' : v === 'OFF' ? 'off' : 'unknown');
