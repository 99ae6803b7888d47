import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { badge, plain } from '../slack/message.js';

/**
 * Posts the channel-visible record of a change ("🪦 SIM … ceased by @user"). The change has
 * already happened: a failure to post is logged and reported back, never thrown.
 */
export async function postRecord(
  deps: Pick<AppDeps, 'logger' | 'sandbox'>,
  client: WebClient,
  channelId: string | null,
  text: string,
): Promise<boolean> {
  if (!channelId) return false;
  const msg = badge(plain(text), deps.sandbox);
  try {
    await client.chat.postMessage({
      channel: channelId,
      text: msg.text,
      blocks: msg.blocks,
      unfurl_links: false,
    });
    return true;
  } catch (err) {
    deps.logger.warn({ err, channelId }, 'could not post the change record in the channel');
    return false;
  }
}
