// Shared pieces of every guarded step: the confirm/cancel message, and the small modals
// (loading, notice) that a confirmation modal turns into while and after it runs.
import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import { button, context, plainText, section } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { jsonCodec } from '../slack/metadata.js';
import { clip, mention } from '../slack/text.js';

export interface ConfirmationPrompt {
  confirmationId: string;
  /** The danger button's action id (the operation's own, so its handler knows what to run). */
  confirmActionId: string;
  cancelActionId: string;
  /** One line, mrkdwn, already escaped: "Refresh the eSIM activation code of +44 7700 900123?" */
  question: string;
  /** ONSIM's warning in plain words, mrkdwn, already escaped. Shown first, before any detail. */
  warning: string;
  /** What will happen, one mrkdwn line each (already escaped). */
  details?: string[];
  /** The danger button's label, saying what it does: "Refresh code". */
  confirmLabel: string;
  requestedBy: string;
  expiresAt: number;
}

/** `<!date…>` shows the time in each reader's own time zone; the fallback is UTC. */
export function slackTime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const fallback = `${new Date(ms).toISOString().slice(11, 16)} UTC`;
  return `<!date^${seconds}^{time}|${fallback}>`;
}

/** The message that waits for an explicit confirm: warning first, a danger button and Cancel. */
export function confirmationMessage(p: ConfirmationPrompt): Message {
  const blocks: KnownBlock[] = [section(`⚠️ *${p.question}*`), section(p.warning)];
  if (p.details && p.details.length > 0) blocks.push(section(p.details.join('\n')));
  blocks.push(
    {
      type: 'actions',
      block_id: 'confirmation',
      elements: [
        button(p.confirmLabel, p.confirmActionId, p.confirmationId, 'danger'),
        button('Cancel', p.cancelActionId, p.confirmationId),
      ],
    },
    context(
      `Requested by ${mention(p.requestedBy)} · only they can confirm · expires at ${slackTime(p.expiresAt)} · runs at most once`,
    ),
  );
  return { text: `${p.question.replace(/[*_~`]/g, '')} Confirm or cancel.`, blocks };
}

const modalTitle = (title: string) => plainText(clip(title, 24));

/** A modal that only says it is working; replaced by `views.update` when the work is done. */
export function loadingModal(title: string, what: string): ModalView {
  return {
    type: 'modal',
    title: modalTitle(title),
    close: plainText('Cancel'),
    blocks: [section(`⏳ ${what}`)],
  };
}

/** A modal that tells the outcome (or why nothing happened) and offers only "Close". */
export function noticeModal(title: string, text: string, more: KnownBlock[] = []): ModalView {
  return {
    type: 'modal',
    title: modalTitle(title),
    close: plainText('Close'),
    blocks: [section(text), ...more.slice(0, 99)],
  };
}

/** What confirmation modals carry in private_metadata: only the confirmation's id. */
export const confirmationMetadata = jsonCodec(
  z.codec(z.object({ confirmation: z.string().min(1).max(100) }), z.string().min(1).max(100), {
    decode: (wire) => wire.confirmation,
    encode: (confirmation) => ({ confirmation }),
  }),
);
