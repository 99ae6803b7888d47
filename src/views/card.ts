import type { Button } from '@slack/types';
import type { OnOff } from '../onsim/shapes.js';
import { button } from '../slack/blocks.js';
import { clip, esc } from '../slack/text.js';

/** A button whose id is owned elsewhere (the router's Share button), passed into a builder. */
export interface ButtonRef {
  action_id: string;
  value: string;
}

export const shareButton = (share: ButtonRef): Button =>
  button('📣 Share in channel', share.action_id, share.value);

/** ON/OFF as a reader sees it at a glance. */
export function onOff(value: OnOff | undefined): string {
  if (value === 'ON') return '✅ On';
  if (value === 'OFF') return '⛔ Off';
  return '❔ Unknown';
}

/** ONSIM text in an inline code span: escaped, and without backticks that would end the span. */
export function code(text: string, max = 200): string {
  return `\`${esc(clip(text.replace(/`/g, "'"), max))}\``;
}
