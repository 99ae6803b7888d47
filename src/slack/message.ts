import type { KnownBlock, View } from '@slack/types';

/** What every reply is made of: the fallback text (notifications, screen readers) and blocks. */
export interface Message {
  text: string;
  blocks: KnownBlock[];
}

export const SANDBOX_NOTE = '🧪 *Sandbox* — test data from the built-in ONSIM sandbox, not real lines.';
/** Starts the notification text of every message sent while the bot runs on the sandbox. */
export const SANDBOX_PREFIX = '[Sandbox] ';

const MESSAGE_BLOCKS_MAX = 50;
const VIEW_BLOCKS_MAX = 100;

const sandboxNote = (): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: SANDBOX_NOTE }],
});

/** True when the blocks already carry the sandbox note (so marking twice changes nothing). */
export const hasSandboxNote = (blocks: readonly unknown[]): boolean =>
  JSON.stringify(blocks).includes(JSON.stringify(SANDBOX_NOTE).slice(1, -1));

/** Appends the sandbox badge when the bot is not talking to the real ONSIM. */
export function badge(msg: Message, sandbox: boolean): Message {
  if (!sandbox) return msg;
  const text = msg.text.startsWith(SANDBOX_PREFIX) ? msg.text : `${SANDBOX_PREFIX}${msg.text}`;
  if (msg.blocks.length === 0 || hasSandboxNote(msg.blocks)) return { text, blocks: msg.blocks };
  const blocks = msg.blocks.slice(0, MESSAGE_BLOCKS_MAX - 1);
  return { text, blocks: [...blocks, sandboxNote()] };
}

/**
 * Marks a modal (or the Home tab) as sandbox: the note goes first, so it is read before anything
 * is typed or submitted. The title cannot carry it (24 characters, and fixed per view). Block and
 * action ids are untouched, so a views.update keeps what the user typed.
 */
export function badgeView<V extends View>(view: V, sandbox: boolean): V {
  if (!sandbox || hasSandboxNote(view.blocks) || view.blocks.length >= VIEW_BLOCKS_MAX) return view;
  return { ...view, blocks: [sandboxNote(), ...view.blocks] };
}

/**
 * A one-paragraph message. The fallback text (notifications) drops bold, code and strike marks;
 * underscores stay, as they are part of names such as ACME_LOGISTICS far more often than italics.
 */
export function plain(text: string): Message {
  return { text: text.replace(/[*`~]/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
