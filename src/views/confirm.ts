// Shared pieces of every guarded step: the confirm/cancel message, and the small modals
// (loading, notice) that a confirmation modal turns into while and after it runs.
import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
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
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`⚠️ *${p.question}*`, 3000) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(p.warning, 3000) } },
  ];
  if (p.details && p.details.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(p.details.join('\n'), 3000) } });
  }
  blocks.push(
    {
      type: 'actions',
      block_id: 'confirmation',
      elements: [
        {
          type: 'button',
          action_id: p.confirmActionId,
          text: { type: 'plain_text', text: clip(p.confirmLabel, 75) },
          style: 'danger',
          value: p.confirmationId,
        },
        {
          type: 'button',
          action_id: p.cancelActionId,
          text: { type: 'plain_text', text: 'Cancel' },
          value: p.confirmationId,
        },
      ],
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Requested by ${mention(p.requestedBy)} · only they can confirm · expires at ${slackTime(p.expiresAt)} · runs at most once`,
        },
      ],
    },
  );
  return { text: `${p.question.replace(/[*_~`]/g, '')} Confirm or cancel.`, blocks };
}

const modalTitle = (title: string) => ({ type: 'plain_text' as const, text: clip(title, 24) });

/** A modal that only says it is working; replaced by `views.update` when the work is done. */
export function loadingModal(title: string, what: string): ModalView {
  return {
    type: 'modal',
    title: modalTitle(title),
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(`⏳ ${what}`, 3000) } }],
  };
}

/** A modal that tells the outcome (or why nothing happened) and offers only "Close". */
export function noticeModal(title: string, text: string, more: KnownBlock[] = []): ModalView {
  return {
    type: 'modal',
    title: modalTitle(title),
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } }, ...more.slice(0, 99)],
  };
}

/** What confirmation modals carry in private_metadata: only the confirmation's id. */
export const confirmationMetadata = jsonCodec(
  z.codec(z.object({ confirmation: z.string().min(1).max(100) }), z.string().min(1).max(100), {
    decode: (wire) => wire.confirmation,
    encode: (confirmation) => ({ confirmation }),
  }),
);
