// One port as a card (`/onsim port <id>`): the porting alert's card of src/porting/alerts.ts,
// plus the dates only a look-up needs and a Share button.
import type { KnownBlock } from '@slack/types';
import type { Port } from '../onsim/porting.js';
import { portParentMessage } from '../porting/alerts.js';
import { context } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { esc } from '../slack/text.js';
import { shareButton } from './card.js';
import { ACTION_SHARE, rerunValue } from './rerun.js';

export const BLOCK_PORT_ACTIONS = 'port_card_actions';

export function portCard(port: Port, commandText: string): Message {
  const card = portParentMessage(port);
  const dates = [
    port.orderDate ? `Ordered ${esc(port.orderDate)}` : '',
    port.validUntil ? `PAC valid until ${esc(port.validUntil)}` : '',
  ].filter(Boolean);
  const blocks: KnownBlock[] = [...card.blocks];
  if (dates.length > 0) blocks.push(context(dates.join(' · ')));
  blocks.push({
    type: 'actions',
    block_id: BLOCK_PORT_ACTIONS,
    elements: [shareButton({ action_id: ACTION_SHARE, value: rerunValue(commandText, 0) })],
  });
  return { text: card.text, blocks };
}
