import type { KnownBlock, ModalView } from '@slack/types';
import { formatMpn } from '../onsim/identifiers.js';
import { context, field, plainText, section, textInput } from '../slack/blocks.js';
import { esc, mention } from '../slack/text.js';
import { confirmationMetadata, slackTime } from './confirm.js';

export const CEASE_CALLBACK_ID = 'cease_confirm';
/** Typed check when the MPN is known: the user types it (any written form). */
export const FIELD_CONFIRM_MPN = 'confirm_mpn';
/** Typed check when only the ICCID is known: its last 6 digits. */
export const FIELD_CONFIRM_ICCID = 'confirm_iccid_last6';
export const CEASE_TITLE = 'Cease SIM';

/** What will be ceased, as far as ONSIM told us. */
export interface CeasePreview {
  /** 19 digits, as ONSIM uses them. */
  iccid: string;
  /** E.164 digits; null when no MPN could be found for the ICCID. */
  mpn: string | null;
  name?: string;
  bundle?: string;
  group?: string;
}

/** ONSIM's warning, first and in plain words. */
export const CEASE_WARNING =
  '🛑 *This cannot be undone.* ONSIM ceases the SIM and its account irrevocably: the line stops working, and neither the SIM nor the account can be brought back. They are gone *for good*.';

export function describeSim(p: Pick<CeasePreview, 'iccid' | 'mpn'>): string {
  return p.mpn ? `SIM ${p.iccid} (${formatMpn(p.mpn)})` : `SIM ${p.iccid}`;
}

/** The confirmation modal: warning, what will be ceased, and the typed check. */
export function ceaseModal(p: CeasePreview, c: { id: string; userId: string; expiresAt: number }): ModalView {
  const fields = [
    `*MPN*\n${p.mpn ? esc(formatMpn(p.mpn)) : '_unknown_'}`,
    `*ICCID*\n${esc(p.iccid)}`,
    ...(p.name ? [`*Name*\n${esc(p.name)}`] : []),
    ...(p.bundle ? [`*Bundle*\n${esc(p.bundle)}`] : []),
    ...(p.group ? [`*Group*\n${esc(p.group)}`] : []),
  ].map(field);

  const check: KnownBlock = p.mpn
    ? textInput(FIELD_CONFIRM_MPN, 'Type the MPN to confirm', {
        hint: `Type ${formatMpn(p.mpn)} (spaces and the national form are fine). Anything else ceases nothing.`,
        maxLength: 40,
        placeholder: 'The MPN of the SIM to cease',
      })
    : textInput(FIELD_CONFIRM_ICCID, 'Type the last 6 digits of the ICCID to confirm', {
        hint: 'No MPN could be found for this SIM, so confirm with the end of its ICCID shown above.',
        maxLength: 20,
        placeholder: '6 digits',
      });

  return {
    type: 'modal',
    callback_id: CEASE_CALLBACK_ID,
    title: plainText(CEASE_TITLE),
    submit: plainText('Cease SIM'),
    close: plainText('Keep the SIM'),
    notify_on_close: true,
    private_metadata: confirmationMetadata.encode(c.id),
    blocks: [
      section(CEASE_WARNING),
      { type: 'section', text: { type: 'mrkdwn', text: '*You are about to cease:*' }, fields },
      ...(p.mpn
        ? []
        : [context('ONSIM’s subscriber list does not show this SIM, so its number and owner are unknown.')]),
      check,
      context(
        `Requested by ${mention(c.userId)} · this form expires at ${slackTime(c.expiresAt)} · it runs at most once`,
      ),
    ],
  };
}

/** The channel-visible record of a cease that went through. */
export function ceaseRecord(p: Pick<CeasePreview, 'iccid' | 'mpn'>, userId: string): string {
  return `🪦 ${esc(describeSim(p))} ceased by ${mention(userId)}`;
}

/** The channel-visible record of a cease whose outcome is unknown. */
export function ceaseUnknownRecord(p: Pick<CeasePreview, 'iccid' | 'mpn'>, userId: string): string {
  return `❓ Cease of ${esc(describeSim(p))} requested by ${mention(userId)}: *outcome unknown* — ONSIM did not confirm it. Check the account before retrying.`;
}
