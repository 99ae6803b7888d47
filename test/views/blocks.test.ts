import { describe, expect, it } from 'vitest';
import { option, textInput } from '../../src/views/blocks.js';

describe('Block Kit primitives', () => {
  it('clips option texts and descriptions to Slack’s 75 characters', () => {
    const o = option('x'.repeat(100), 'v', 'd'.repeat(80));
    expect(o.text.text).toHaveLength(75);
    expect(o.description?.text).toHaveLength(75);
    expect(option('Short', 'v')).toEqual({ text: { type: 'plain_text', text: 'Short' }, value: 'v' });
  });

  it('names a text input’s block and action after its field', () => {
    expect(
      textInput('mpn', 'MPN', { maxLength: 15, placeholder: 'e.g. 447700900123', initial: '44' }),
    ).toEqual({
      type: 'input',
      block_id: 'mpn',
      optional: false,
      label: { type: 'plain_text', text: 'MPN' },
      element: {
        type: 'plain_text_input',
        action_id: 'mpn',
        max_length: 15,
        initial_value: '44',
        placeholder: { type: 'plain_text', text: 'e.g. 447700900123' },
      },
    });
  });

  it('makes an email input without a length cap', () => {
    const block = textInput('email', 'Email', { email: true, maxLength: 100, optional: true });
    expect(block.optional).toBe(true);
    expect(block.element).toEqual({ type: 'email_text_input', action_id: 'email' });
  });
});
