import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { openDm } from './dm.js';
import { slackErrorCode } from './error-code.js';
import { badge, type Message } from './message.js';

/** Who is told, and the channel they acted in (none: from a modal opened outside a channel). */
export interface Recipient {
  userId: string;
  channelId: string | null;
}

/**
 * Tells one user something only they see: ephemeral in the channel, or in their DM with the bot
 * when that fails (the bot is not in the channel, or there is none). A `secret` (a SIP password)
 * stays ephemeral in the DM too, so it is never kept in the conversation. Never throws.
 */
export async function tellUser(
  deps: { logger: Logger; sandbox: boolean },
  client: WebClient,
  who: Recipient,
  msg: Message,
  opts: { secret?: boolean } = {},
): Promise<void> {
  const out = badge(msg, deps.sandbox);
  if (who.channelId) {
    try {
      await client.chat.postEphemeral({ channel: who.channelId, user: who.userId, ...out });
      return;
    } catch (err) {
      deps.logger.warn(
        { code: slackErrorCode(err), channelId: who.channelId },
        'could not answer ephemerally; trying the DM',
      );
    }
  }
  try {
    const dm = await openDm(client, who.userId);
    if (opts.secret) await client.chat.postEphemeral({ channel: dm, user: who.userId, ...out });
    else await client.chat.postMessage({ channel: dm, ...out });
  } catch (err) {
    deps.logger.error({ code: slackErrorCode(err), userId: who.userId }, 'could not tell the user');
  }
}
