import type { KnownBlock } from '@slack/types';

/** What every reply is made of: the fallback text (notifications, screen readers) and blocks. */
export interface Message {
  text: string;
  blocks: KnownBlock[];
}

export const SANDBOX_NOTE = '🧪 *Sandbox* — test data from the built-in ONSIM sandbox, not real lines.';

/** Appends the sandbox badge when the bot is not talking to the real ONSIM. */
export function badge(msg: Message, sandbox: boolean): Message {
  if (!sandbox) return msg;
  const blocks = msg.blocks.length >= 50 ? msg.blocks.slice(0, 49) : msg.blocks;
  return {
    text: `[Sandbox] ${msg.text}`,
    blocks: [...blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: SANDBOX_NOTE }] }],
  };
}

/**
 * A one-paragraph message. The fallback text (notifications) drops bold, code and strike marks;
 * underscores stay, as they are part of names such as ACME_LOGISTICS far more often than italics.
 */
export function plain(text: string): Message {
  return { text: text.replace(/[*`~]/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
