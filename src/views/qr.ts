// Texts and the "Delete QR" message that go with an eSIM QR image. Pure: data in, text/blocks out.
import type { KnownBlock } from '@slack/types';
import { z } from 'zod';
import { formatMpn } from '../onsim/identifiers.js';
import { button, context, plainText, section } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { jsonCodec } from '../slack/metadata.js';
import { clip, esc, mention } from '../slack/text.js';

export const ACTION_QR_DELETE = 'qr_delete';

/** What the QR is for, as shown to people. */
export interface QrSubject {
  mpn?: string | null;
  iccid?: string | null;
  iAccount?: string | null;
}

/** Plain text, e.g. "+44 7700 900123", "SIM 8944…", "account 204122" or "an eSIM". */
export function qrSubjectLabel(s: QrSubject): string {
  if (s.mpn) return formatMpn(s.mpn);
  if (s.iccid) return `SIM ${s.iccid}`;
  if (s.iAccount) return `account ${s.iAccount}`;
  return 'an eSIM';
}

const known = (s: QrSubject) => Boolean(s.mpn || s.iccid || s.iAccount);

export function qrTitle(s: QrSubject): string {
  return known(s) ? `eSIM QR for ${qrSubjectLabel(s)}` : 'eSIM QR';
}

export function qrFilename(s: QrSubject): string {
  return `esim-${s.mpn ?? s.iccid ?? (s.iAccount ? `account-${s.iAccount}` : 'qr')}.png`;
}

export function qrAltText(s: QrSubject): string {
  return `QR code that installs the eSIM${known(s) ? ` for ${qrSubjectLabel(s)}` : ''}`;
}

/**
 * The comment posted with the image: who posted it and the warning that matters. `localReason`
 * is set when the bot drew the image itself. Never holds the activation code.
 */
export function qrComment(s: QrSubject & { posterId: string; localReason?: string | null }): string {
  const lines = [
    `📷 *${esc(qrTitle(s))}*, posted by ${mention(s.posterId)}.`,
    '⚠️ Whoever scans it first gets the line: scan it only on the customer’s phone, then press *Delete QR*.',
  ];
  // Why ONSIM's image was not used (a status, a refused link) is for the log, not the channel.
  if (s.localReason) lines.push("_ONSIM's image could not be fetched; drawn here instead._");
  return lines.join('\n');
}

// ---- Delete button -------------------------------------------------------------------------

const DeleteValue = z.object({
  /** File id. */
  f: z.string().regex(/^F[A-Z0-9]+$/),
  /** Who posted it: they (and admins) may delete it. */
  p: z.string().regex(/^[UW][A-Z0-9]+$/),
  m: z.string().max(20).nullable(),
  i: z.string().max(22).nullable(),
  a: z.string().max(20).nullable().default(null),
});

export interface QrDeleteRef {
  fileId: string;
  posterId: string;
  mpn: string | null;
  iccid: string | null;
  iAccount: string | null;
}

/** The Delete button's value: short keys, as a button value holds at most 2,000 characters. */
export const qrDeleteValue = jsonCodec(
  z.codec(
    DeleteValue,
    z.object({
      fileId: z.string(),
      posterId: z.string(),
      mpn: z.string().nullable(),
      iccid: z.string().nullable(),
      iAccount: z.string().nullable(),
    }),
    {
      decode: (w): QrDeleteRef => ({ fileId: w.f, posterId: w.p, mpn: w.m, iccid: w.i, iAccount: w.a }),
      encode: (r) => ({ f: r.fileId, p: r.posterId, m: r.mpn, i: r.iccid, a: r.iAccount }),
    },
  ),
);

/** Posted right after the image: the way to take it down once the eSIM is installed. */
export function qrDeleteMessage(r: QrDeleteRef): Message {
  const label = qrSubjectLabel(r);
  const blocks: KnownBlock[] = [
    section(
      `🗑️ Once the eSIM for *${esc(label)}* is installed, delete the QR above so nobody else can scan it. Only ${mention(r.posterId)} or an admin can.`,
    ),
    {
      type: 'actions',
      elements: [
        {
          ...button('Delete QR', ACTION_QR_DELETE, qrDeleteValue.encode(r), 'danger'),
          confirm: {
            title: plainText('Delete the QR?'),
            text: plainText(clip(`The QR image for ${label} will be deleted from Slack.`, 300)),
            confirm: plainText('Delete QR'),
            deny: plainText('Keep it'),
            style: 'danger',
          },
        },
      ],
    },
  ];
  return { text: `Delete the QR for ${label} once the eSIM is installed`, blocks };
}

export function qrDeletedMessage(r: QrDeleteRef, byUserId: string): Message {
  const text = `🗑️ The QR for *${esc(qrSubjectLabel(r))}* was deleted by ${mention(byUserId)}.`;
  return { text: text.replace(/\*/g, ''), blocks: [section(text)] };
}

/** Under the Delete QR button when QR_TTL_HOURS is set. */
export function expiryNote(hours: number): KnownBlock {
  return context(`⏲️ If it is still here in ${hours} h, the bot deletes this QR by itself (QR_TTL_HOURS).`);
}

/** The Delete QR message once the image was deleted by its time. */
export function qrExpiredMessage(r: QrSubject, hoursUp: number): Message {
  const text = `🗑️ The QR for *${esc(qrSubjectLabel(r))}* was deleted by the bot after ${hoursUp} h, so nobody else can scan it. \`/onsim qr\` posts a new one if it is still needed.`;
  return { text: text.replace(/\*/g, ''), blocks: [section(text)] };
}
