import type { BlockAction, RespondFn } from '@slack/bolt';
import { badge, type Message } from './message.js';

/** The channel a button was clicked in (messages carry it; Home and modal buttons may not). */
export function clickChannel(body: BlockAction): string | null {
  const fromContainer = body.container?.channel_id;
  return body.channel?.id ?? (typeof fromContainer === 'string' ? fromContainer : null);
}

/**
 * Answers a click through its response_url: ephemerally to the clicker, or (`replace`) in place
 * of the message the button was on, which keeps that message's own visibility.
 */
export async function answerClick(
  deps: { sandbox: boolean },
  respond: RespondFn,
  msg: Message,
  replace = false,
): Promise<void> {
  const out = badge(msg, deps.sandbox);
  await respond(
    replace
      ? { replace_original: true, text: out.text, blocks: out.blocks }
      : { response_type: 'ephemeral', replace_original: false, text: out.text, blocks: out.blocks },
  );
}
