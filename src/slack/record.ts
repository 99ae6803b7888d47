import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { openDm } from './dm.js';
import { shownCode, slackErrorCode } from './error-code.js';
import { badge, type Message, plain } from './message.js';

export interface PostedRecord {
  channelId: string;
  ts: string | undefined;
}

/**
 * Posts the channel-visible record of a change ("🪦 SIM … ceased by @user"). The change has
 * already happened: a failure to post is logged and reported back (null), never thrown. With
 * `dmFallback`, a record the channel refuses goes to that user's DM with a note saying why.
 */
export async function postRecord(
  deps: { logger: Logger; sandbox: boolean },
  client: WebClient,
  channelId: string | null,
  record: string | Message,
  opts: { dmFallback?: string } = {},
): Promise<PostedRecord | null> {
  if (!channelId) return null;
  const out = badge(typeof record === 'string' ? plain(record) : record, deps.sandbox);
  try {
    const res = await client.chat.postMessage({ channel: channelId, ...out, unfurl_links: false });
    return { channelId, ts: res.ts };
  } catch (err) {
    const code = slackErrorCode(err);
    deps.logger.warn({ code, channelId }, 'could not post the change record in the channel');
    if (!opts.dmFallback) return null;
    const note = `(The bot could not post in <#${channelId}>${code ? ` — ${shownCode(code)}` : ''}; invite it there to get these records in the channel.)`;
    try {
      const dm = await openDm(client, opts.dmFallback);
      const res = await client.chat.postMessage({
        channel: dm,
        text: out.text,
        blocks: [...out.blocks.slice(0, 48), { type: 'context', elements: [{ type: 'mrkdwn', text: note }] }],
        unfurl_links: false,
      });
      return { channelId: dm, ts: res.ts };
    } catch (dmErr) {
      deps.logger.error({ code: slackErrorCode(dmErr) }, 'could not post the record anywhere');
      return null;
    }
  }
}
