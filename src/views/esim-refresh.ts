import type { KnownBlock } from '@slack/types';
import { button, section } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { esc, mention } from '../slack/text.js';
import { ACTION_ESIM_SHOW_CODE } from './action-ids.js';
import { confirmationMessage } from './confirm.js';
import { describeEsimRef, type EsimRef, encodeEsimRef } from './esim.js';

export const ACTION_ESIM_REFRESH_CONFIRM = 'esim_refresh_confirm';
export const ACTION_ESIM_REFRESH_CANCEL = 'esim_refresh_cancel';

export const ESIM_REFRESH_WARNING =
  '🛑 *Refreshing issues a new activation code and the old one stops working at once.* Any QR code or activation code already sent to the customer (or posted in a channel) becomes useless; they will need the new one. ONSIM only refreshes codes of eSIMs that are not installed yet.';

export function esimRefreshPrompt(p: {
  ref: EsimRef;
  confirmation: { id: string; userId: string; expiresAt: number };
}): Message {
  return confirmationMessage({
    confirmationId: p.confirmation.id,
    confirmActionId: ACTION_ESIM_REFRESH_CONFIRM,
    cancelActionId: ACTION_ESIM_REFRESH_CANCEL,
    question: `Refresh the eSIM activation code of ${esc(describeEsimRef(p.ref))}?`,
    warning: ESIM_REFRESH_WARNING,
    confirmLabel: 'Refresh code',
    requestedBy: p.confirmation.userId,
    expiresAt: p.confirmation.expiresAt,
  });
}

/** What the requester sees after a refresh: never the code itself, but a button that shows it to them. */
export function esimRefreshedMessage(ref: EsimRef): Message {
  const who = esc(describeEsimRef(ref));
  const blocks: KnownBlock[] = [
    section(
      `🔄 *New activation code issued for ${who}.* The old code no longer works: send the customer the new one.`,
    ),
    {
      type: 'actions',
      elements: [button('Show activation code', ACTION_ESIM_SHOW_CODE, encodeEsimRef(ref))],
    },
  ];
  return { text: `New activation code issued for ${describeEsimRef(ref)}.`, blocks };
}

/** The channel-visible record of a refresh; the code never appears in it. */
export function esimRefreshRecord(ref: EsimRef, userId: string): string {
  return `🔄 eSIM activation code of ${esc(describeEsimRef(ref))} refreshed by ${mention(userId)} — the old code no longer works.`;
}
