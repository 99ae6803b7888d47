import { describe, expect, it } from 'vitest';
import { button, header, option, section, selectInput, textInput } from '../../src/slack/blocks.js';

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

  it('clips headers to 150 characters and button labels to 75, values to 2,000', () => {
    expect(header('h'.repeat(200)).text).toEqual({
      type: 'plain_text',
      text: `${'h'.repeat(149)}…`,
      emoji: true,
    });
    const b = button('b'.repeat(100), 'act', 'v'.repeat(3000), 'danger');
    expect([b.text.text.length, b.value?.length, b.action_id, b.style]).toEqual([75, 2000, 'act', 'danger']);
    expect(section('x'.repeat(4000), b)).toMatchObject({ text: { text: expect.any(String) }, accessory: b });
    expect(section('x'.repeat(4000)).text?.text).toHaveLength(3000);
  });

  it('makes a select or radio input named after its field, optional only when asked', () => {
    const on = option('On', 'ON');
    expect(selectInput('voice', 'Voice', [on], { placeholder: 'On or off', initial: on })).toEqual({
      type: 'input',
      block_id: 'voice',
      label: { type: 'plain_text', text: 'Voice' },
      element: {
        type: 'static_select',
        action_id: 'voice',
        options: [on],
        initial_option: on,
        placeholder: { type: 'plain_text', text: 'On or off' },
      },
    });
    expect(selectInput('data', 'Data', [on], { radio: true, optional: true, hint: 'h' })).toEqual({
      type: 'input',
      block_id: 'data',
      optional: true,
      label: { type: 'plain_text', text: 'Data' },
      hint: { type: 'plain_text', text: 'h' },
      element: { type: 'radio_buttons', action_id: 'data', options: [on] },
    });
  });

  it('makes an email input without a length cap', () => {
    const block = textInput('email', 'Email', { email: true, maxLength: 100, optional: true });
    expect(block.optional).toBe(true);
    expect(block.element).toEqual({ type: 'email_text_input', action_id: 'email' });
  });
});
