// The Block Kit pieces every message and form is made of, built one way (Slack's limits applied here).
import type {
  Button,
  HeaderBlock,
  InputBlock,
  KnownBlock,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';
import { clip } from './text.js';

/** A plain_text object; `emoji` only when given (Slack's default otherwise). */
export const plainText = (text: string, emoji?: boolean): PlainTextElement =>
  emoji === undefined ? { type: 'plain_text', text } : { type: 'plain_text', text, emoji };

/** A mrkdwn section, clipped to Slack's 3,000 characters, with a button beside it if given. */
export const section = (text: string, accessory?: Button): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, 3000) },
  ...(accessory ? { accessory } : {}),
});

/** A mrkdwn field of a section, clipped to Slack's 2,000 characters. */
export const field = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text: clip(text, 2000) });

/** A one-element mrkdwn context line, clipped to Slack's 3,000 characters. */
export const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(text, 3000) }],
});

/** A header with emoji, clipped to Slack's 150 characters. */
export const header = (text: string): HeaderBlock => ({
  type: 'header',
  text: plainText(clip(text, 150), true),
});

/** A button with its label, id and value within Slack's limits (label 75, value 2000). */
export function button(text: string, action_id: string, value: string, style?: 'primary' | 'danger'): Button {
  const b: Button = {
    type: 'button',
    text: plainText(clip(text, 75), true),
    action_id,
    value: value.slice(0, 2000),
  };
  if (style) b.style = style;
  return b;
}

/** A select option; Slack refuses option texts and descriptions over 75 characters. */
export const option = (text: string, value: string, description?: string): PlainTextOption => ({
  text: plainText(clip(text, 75)),
  value,
  ...(description ? { description: plainText(clip(description, 75)) } : {}),
});

export interface TextInputOptions {
  /** Default: the field, as the block_id is. */
  actionId?: string;
  focusOnLoad?: boolean;
  optional?: boolean;
  hint?: string;
  placeholder?: string;
  initial?: string;
  /** Ignored for an email input (Slack checks the address itself). */
  maxLength?: number;
  email?: boolean;
  multiline?: boolean;
}

/** A text input whose block_id and action_id are the ONSIM field it fills. */
export function textInput(field: string, label: string, opts: TextInputOptions = {}): InputBlock {
  const action_id = opts.actionId ?? field;
  const element = opts.email
    ? { type: 'email_text_input' as const, action_id }
    : {
        type: 'plain_text_input' as const,
        action_id,
        ...(opts.multiline ? { multiline: true } : {}),
        ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
      };
  return {
    type: 'input',
    block_id: field,
    optional: opts.optional ?? false,
    label: plainText(label),
    ...(opts.hint ? { hint: plainText(opts.hint) } : {}),
    element: {
      ...element,
      ...(opts.initial ? { initial_value: opts.initial } : {}),
      ...(opts.focusOnLoad ? { focus_on_load: true } : {}),
      ...(opts.placeholder ? { placeholder: plainText(opts.placeholder) } : {}),
    },
  };
}

export interface SelectInputOptions {
  optional?: boolean;
  hint?: string;
  placeholder?: string;
  initial?: PlainTextOption;
  /** Radio buttons instead of a drop-down (no placeholder). */
  radio?: boolean;
}

/** A static select (or radio buttons) whose block_id and action_id are the field it fills. */
export function selectInput(
  field: string,
  label: string,
  options: PlainTextOption[],
  opts: SelectInputOptions = {},
): InputBlock {
  return {
    type: 'input',
    block_id: field,
    ...(opts.optional ? { optional: true } : {}),
    label: plainText(label),
    ...(opts.hint ? { hint: plainText(opts.hint) } : {}),
    element: opts.radio
      ? {
          type: 'radio_buttons',
          action_id: field,
          options,
          ...(opts.initial ? { initial_option: opts.initial } : {}),
        }
      : {
          type: 'static_select',
          action_id: field,
          options,
          ...(opts.initial ? { initial_option: opts.initial } : {}),
          ...(opts.placeholder ? { placeholder: plainText(opts.placeholder) } : {}),
        },
  };
}
