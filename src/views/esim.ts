import type { Button, KnownBlock } from '@slack/types';
import type { EsimInfo, EsimQuery } from '../onsim/account.js';
import { formatMpn, maskEsimCode } from '../onsim/identifiers.js';
import { button, context, field, header, section } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { atLeast, type Role } from '../slack/roles.js';
import { clip, esc } from '../slack/text.js';
import { ACTION_ESIM_QR, ACTION_ESIM_REFRESH, ACTION_ESIM_SHOW_CODE } from './action-ids.js';
import { type ButtonRef, code, shareButton } from './card.js';

export const ESIM_ACTIONS_BLOCK = 'esim_actions';
/** Audit and refusal name of revealing an activation code (ACTION_ESIM_SHOW_CODE). */
export const SHOW_CODE_OPERATION = 'show eSIM code';

/** Which eSIM a card or button is about, as the user named it. */
export interface EsimRef {
  kind: 'mpn' | 'iccid' | 'i_account';
  /** In ONSIM's form: MPN as E.164 digits, ICCID as 19 digits, i_account as digits. */
  value: string;
}

const REF_VALUE = /^(mpn|iccid|i_account):(\d{1,20})$/;

/** The value of the eSIM buttons: `mpn:447700900123`, `iccid:8944…`, `i_account:204122`. */
export const encodeEsimRef = (ref: EsimRef): string => `${ref.kind}:${ref.value}`;

/** Reads a button value written by `encodeEsimRef`; null when it is not one. */
export function decodeEsimRef(value: string | undefined): EsimRef | null {
  const m = REF_VALUE.exec(value ?? '');
  if (!m?.[1] || !m[2]) return null;
  const kind = m[1];
  if (kind !== 'mpn' && kind !== 'iccid' && kind !== 'i_account') return null;
  return { kind, value: m[2] };
}

/** The ONSIM eSIM query for a reference. */
export const esimQuery = (ref: EsimRef): EsimQuery => ({ [ref.kind]: ref.value });

/** `+44 7700 900123`, `ICCID 8944…`, `account 204122` (plain text). */
export function describeEsimRef(ref: EsimRef): string {
  if (ref.kind === 'mpn') return formatMpn(ref.value);
  if (ref.kind === 'iccid') return `ICCID ${ref.value}`;
  return `account ${ref.value}`;
}

export const isInstalled = (info: EsimInfo): boolean =>
  info.esim_status?.trim().toLowerCase() === 'installed';

function statusText(status: string | undefined): string {
  const s = status?.trim().toLowerCase();
  if (!s) return '❔ Unknown';
  if (s === 'installed') return '✅ Installed';
  if (s === 'ready to install') return '📦 Ready to install';
  return `❔ ${esc(clip(status ?? '', 100))}`;
}

function enabledText(enabled: EsimInfo['enabled_on_device']): string {
  if (enabled === 'ON') return '✅ Yes';
  if (enabled === 'OFF') return '⛔ No';
  return '❔ Unknown';
}

export interface EsimCardOptions {
  ref: EsimRef;
  /** The viewer's role: the code, QR and refresh buttons appear only for operators and admins. */
  role: Role;
  share?: ButtonRef;
}

/**
 * The eSIM's state and what can be done next. The activation code itself never appears here: the
 * card may be shared in a channel, and whoever installs the code first gets the line.
 */
export function esimCard(info: EsimInfo, opts: EsimCardOptions): Message {
  const who = describeEsimRef(opts.ref);
  const installed = isInstalled(info);
  const codeField = info.esim_code
    ? `*Activation code*\n${code(maskEsimCode(info.esim_code), 40)} 🔒 hidden`
    : '*Activation code*\n— (ONSIM sent none)';
  const blocks: KnownBlock[] = [
    header(`📲 eSIM of ${who}`),
    {
      type: 'section',
      block_id: 'esim_state',
      fields: [
        field(`*Status*\n${statusText(info.esim_status)}`),
        field(`*Enabled on device*\n${enabledText(info.enabled_on_device)}`),
        field(codeField),
      ],
    },
    context(
      installed
        ? 'Installed on a device: ONSIM issues no new code for an installed eSIM.'
        : 'The customer installs it by scanning the QR code. Whoever scans the code first gets the line: give it only to the customer.',
    ),
  ];

  const value = encodeEsimRef(opts.ref);
  const buttons: Button[] = [];
  if (atLeast(opts.role, 'operator')) {
    buttons.push(
      button('🔑 Show activation code', ACTION_ESIM_SHOW_CODE, value),
      button('🔳 QR code', ACTION_ESIM_QR, value),
    );
    if (!installed) buttons.push(button('🔄 Refresh code', ACTION_ESIM_REFRESH, value));
  }
  if (opts.share) buttons.push(shareButton(opts.share));
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: ESIM_ACTIONS_BLOCK, elements: buttons });

  const status = info.esim_status?.trim() || 'status unknown';
  const enabled =
    info.enabled_on_device === 'ON'
      ? 'enabled on device'
      : info.enabled_on_device === 'OFF'
        ? 'not enabled on device'
        : 'device state unknown';
  return { text: clip(`eSIM of ${esc(who)}: ${esc(status)}, ${enabled}`, 3000), blocks };
}

/** The activation code, for the one person who asked (ephemeral only; never in a channel or a log). */
export function esimCodeMessage(ref: EsimRef, esimCode: string): Message {
  const who = describeEsimRef(ref);
  return {
    text: `Activation code of the eSIM of ${who} (only you can see this)`,
    blocks: [
      section(
        `🔑 *Activation code of the eSIM of ${esc(who)}* (only you can see this)\n${code(esimCode, 500)}`,
      ),
      context(
        '⚠️ Whoever installs this code first gets the line. Give it only to the customer; do not paste it in a channel.',
      ),
    ],
  };
}
