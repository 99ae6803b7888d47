// The "Look up in ONSIM" message shortcut: every MPN and ICCID written in a message, answered to
// the person who clicked it (privately) with their account cards.
import type { MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { AppDeps } from '../deps.js';
import { slowDownNotice } from '../guard/read-permit.js';
import type { Logger } from '../logger.js';
import { formatMpn } from '../onsim/identifiers.js';
import type { Subscriber } from '../onsim/reseller.js';
import { context } from '../slack/blocks.js';
import { describeFailure } from '../slack/failure.js';
import { badge, type Message, plain } from '../slack/message.js';
import type { Role } from '../slack/roles.js';
import { esc } from '../slack/text.js';
import { cardFor } from './account.js';
import { type FoundIdentifier, identifiersIn } from './search.js';
import { cleanSlackText } from './typed-text.js';

export const LOOKUP_SHORTCUT_ID = 'lookup_in_onsim';
/** Cards in one answer: each is about 5 blocks, and a message holds 50. */
export const MAX_CARDS = 6;

const shownId = (id: FoundIdentifier): string => (id.kind === 'mpn' ? formatMpn(id.value) : id.value);

/** The text people see in a message: its text plus the text of its blocks (bots often write only blocks). */
export function messageText(message: { text?: string; blocks?: unknown[] }): string {
  const parts = [message.text ?? ''];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const n of node) walk(n);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') parts.push(value);
        else walk(value);
      }
    }
  };
  walk(message.blocks ?? []);
  return cleanSlackText(parts.join('\n'));
}

/** The answer for the person who clicked: one card per identifier found (at most MAX_CARDS). */
export async function lookUpMessage(
  deps: AppDeps,
  message: { text?: string; blocks?: unknown[] },
  opts: { role: Role; log: Logger },
): Promise<Message> {
  const found = identifiersIn(messageText(message), deps.config.defaultCountry);
  if (found.length === 0) {
    return plain(
      '🔍 This message has no phone number or ICCID I can read. Numbers look like +44 7700 900123 or 07700 900123; ICCIDs are 19–20 digits starting 89.',
    );
  }
  const shown = found.slice(0, MAX_CARDS);
  let subscribers: Subscriber[] | null = null;
  const blocks: KnownBlock[] = [];
  const texts: string[] = [];
  for (const id of shown) {
    let mpn: string | undefined = id.value;
    if (id.kind === 'iccid') {
      if (subscribers === null) {
        try {
          subscribers = await deps.onsim.reseller.listSubscribers({ state: 'PROVISIONED' });
        } catch (err) {
          opts.log.warn({ err }, 'subscriber list failed during a message look-up');
          subscribers = [];
          blocks.push(...plain(describeFailure(err, `find the line of SIM ${esc(id.value)}`)).blocks);
          continue;
        }
      }
      mpn = subscribers.find((s) => s.iccid?.replace(/^ONSIM/i, '') === id.value)?.mpn;
      if (!mpn) {
        blocks.push(...plain(`🔍 No subscriber has the SIM \`${esc(id.value)}\`.`).blocks);
        texts.push(`No subscriber has SIM ${id.value}`);
        continue;
      }
    }
    const card = await cardFor(deps, mpn, { role: opts.role, log: opts.log });
    if (blocks.length > 0) blocks.push({ type: 'divider' });
    // Block ids must be unique in a message: the second card's get its number.
    const n = texts.length;
    blocks.push(
      ...card.blocks.map((b) => (n > 0 && b.block_id ? { ...b, block_id: `${b.block_id}_${n}` } : b)),
    );
    texts.push(card.text);
  }
  const rest = found.slice(MAX_CARDS);
  if (rest.length > 0) {
    blocks.push(
      context(
        `Also in the message (look them up one by one): ${rest.map((id) => esc(shownId(id))).join(', ')}`,
      ),
    );
  }
  return { text: texts.join('; ').slice(0, 3000) || 'Look-up in ONSIM', blocks: blocks.slice(0, 49) };
}

/** The shortcut's listener: ack, then answer the clicker privately through the response_url. */
export const onLookupShortcut =
  (deps: AppDeps) =>
  async ({ ack, shortcut, respond }: SlackShortcutMiddlewareArgs<MessageShortcut>): Promise<void> => {
    await ack();
    const log = deps.logger.child({ name: 'command', user: shortcut.user.id, sub: 'lookup-message' });
    let answer: Message;
    try {
      const notice = await slowDownNotice(deps, shortcut.user.id);
      const role = await deps.roles.roleOf(shortcut.user.id);
      answer = notice ? plain(notice) : await lookUpMessage(deps, shortcut.message, { role, log });
    } catch (err) {
      log.error({ err }, 'message look-up failed');
      answer = plain(describeFailure(err, 'look up this message in ONSIM'));
    }
    await respond({ ...badge(answer, deps.sandbox), response_type: 'ephemeral', replace_original: false });
  };
