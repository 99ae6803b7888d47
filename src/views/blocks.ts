// The Block Kit pieces every form is made of, built one way (Slack's limits applied here).
import type { InputBlock, KnownBlock, PlainTextElement, PlainTextOption } from '@slack/types';
import { clip } from '../slack/text.js';

export const plainText = (text: string): PlainTextElement => ({ type: 'plain_text', text });

/** A mrkdwn section, clipped to Slack's 3,000 characters. */
export const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, 3000) },
});

/** A one-element mrkdwn context line, clipped to Slack's 3,000 characters. */
export const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(text, 3000) }],
});

/** A select option; Slack refuses option texts and descriptions over 75 characters. */
export const option = (text: string, value: string, description?: string): PlainTextOption => ({
  text: plainText(clip(text, 75)),
  value,
  ...(description ? { description: plainText(clip(description, 75)) } : {}),
});

export interface TextInputOptions {
  optional?: boolean;
  hint?: string;
  placeholder?: string;
  initial?: string;
  /** Ignored for an email input (Slack checks the address itself). */
  maxLength?: number;
  email?: boolean;
}

/** A text input whose block_id and action_id are the ONSIM field it fills. */
export function textInput(field: string, label: string, opts: TextInputOptions = {}): InputBlock {
  const element = opts.email
    ? { type: 'email_text_input' as const, action_id: field }
    : {
        type: 'plain_text_input' as const,
        action_id: field,
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
      ...(opts.placeholder ? { placeholder: plainText(opts.placeholder) } : {}),
    },
  };
}
