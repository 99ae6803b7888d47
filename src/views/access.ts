import type { HomeView, KnownBlock, ModalView } from '@slack/types';
import { plainText, section } from '../slack/blocks.js';
import type { Refusal } from '../slack/roles.js';

/** Why someone may not use the bot, and whom to ask (mrkdwn; `admins` are Slack mentions). */
export function refusalText(refusal: Refusal, admins: string[]): string {
  const ask = admins.length
    ? `Ask one of ${admins.join(', ')} if you need it.`
    : 'Ask whoever runs the bot if you need it.';
  switch (refusal) {
    case 'guest':
      return `⛔ This bot is not open to guest accounts unless they are named in VIEWERS, OPERATORS or ADMINS. ${ask}`;
    case 'other_team':
      return `⛔ This bot serves members of its own workspace; people from other organisations must be named in VIEWERS, OPERATORS or ADMINS. ${ask}`;
    case 'not_a_viewer':
      return `⛔ This bot is open only to the people named in VIEWERS, OPERATORS or ADMINS, and you are not among them. ${ask}`;
    case 'unknown':
      return '⛔ Slack could not tell me who you are just now, so I am not answering. Try again in a minute.';
  }
}

const blocks = (text: string): KnownBlock[] => [section(text)];

export const refusalModal = (text: string): ModalView => ({
  type: 'modal',
  title: plainText('ONSIM'),
  close: plainText('Close'),
  blocks: blocks(text),
});

export const refusalHome = (text: string): HomeView => ({ type: 'home', blocks: blocks(text) });
