import { describe, expect, it } from 'vitest';
import {
  assertWithinBlockKitLimits,
  type BlockKitPayload,
  blockKitProblems,
  type Surface,
} from '../../src/slack-emulator/block-kit-limits.js';

const x = (n: number) => 'x'.repeat(n);
const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const section = (text: string, extra: object = {}) => ({ type: 'section', text: mrkdwn(text), ...extra });
const button = (extra: object = {}) => ({ type: 'button', action_id: 'go', text: plain('Go'), ...extra });
const actions = (...elements: object[]) => ({ type: 'actions', elements });
const option = (text: string, value: string) => ({ text: plain(text), value });
const select = (extra: object = {}) => ({
  type: 'static_select',
  action_id: 'pick',
  options: [option('One', '1')],
  ...extra,
});
const input = (extra: object = {}) => ({
  type: 'input',
  block_id: 'email',
  label: plain('Email'),
  element: { type: 'plain_text_input', action_id: 'email' },
  ...extra,
});
const confirm = (extra: object = {}) => ({
  title: plain('Sure?'),
  text: plain('This ceases the SIM.'),
  confirm: plain('Cease'),
  deny: plain('Cancel'),
  ...extra,
});
const message = (...blocks: object[]): BlockKitPayload => ({ text: 'fallback', blocks });
const modal = (blocks: object[], extra: object = {}): BlockKitPayload => ({
  view: { type: 'modal', title: plain('New SIM'), submit: plain('Create'), blocks, ...extra },
});
const home = (blocks: object[]): BlockKitPayload => ({ view: { type: 'home', blocks } });
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

interface LimitCase {
  name: string;
  surface: Surface;
  limit: number;
  /** Builds a payload with `n` of whatever is limited. */
  make: (n: number) => BlockKitPayload;
  problem: RegExp;
}

const limits: LimitCase[] = [
  {
    name: 'blocks in a message',
    surface: 'message',
    limit: 50,
    make: (n) => message(...times(n, () => ({ type: 'divider' }))),
    problem: /^blocks: 51 items, max 50$/,
  },
  {
    name: 'blocks in a modal',
    surface: 'modal',
    limit: 100,
    make: (n) => modal(times(n, () => ({ type: 'divider' }))),
    problem: /^view\.blocks: 101 items, max 100$/,
  },
  {
    name: 'blocks in a Home tab',
    surface: 'home',
    limit: 100,
    make: (n) => home(times(n, () => ({ type: 'divider' }))),
    problem: /^view\.blocks: 101 items/,
  },
  {
    name: 'section text',
    surface: 'message',
    limit: 3000,
    make: (n) => message(section(x(n))),
    problem: /^blocks\[0\]\.text\.text: 3001 chars, max 3000$/,
  },
  {
    name: 'section fields',
    surface: 'message',
    limit: 10,
    make: (n) => message({ type: 'section', fields: times(n, () => mrkdwn('f')) }),
    problem: /^blocks\[0\]\.fields: 11 items, max 10$/,
  },
  {
    name: 'section field text',
    surface: 'message',
    limit: 2000,
    make: (n) => message({ type: 'section', fields: [mrkdwn(x(n))] }),
    problem: /^blocks\[0\]\.fields\[0\]\.text: 2001 chars, max 2000$/,
  },
  {
    name: 'header text',
    surface: 'message',
    limit: 150,
    make: (n) => message({ type: 'header', text: plain(x(n)) }),
    problem: /^blocks\[0\]\.text\.text: 151 chars/,
  },
  {
    name: 'context elements',
    surface: 'message',
    limit: 10,
    make: (n) => message({ type: 'context', elements: times(n, () => mrkdwn('c')) }),
    problem: /^blocks\[0\]\.elements: 11 items, max 10$/,
  },
  {
    name: 'actions elements',
    surface: 'message',
    limit: 25,
    make: (n) => message(actions(...times(n, (i) => button({ action_id: `b${i}` })))),
    problem: /^blocks\[0\]\.elements: 26 items, max 25$/,
  },
  {
    name: 'block_id length',
    surface: 'message',
    limit: 255,
    make: (n) => message({ type: 'divider', block_id: x(n) }),
    problem: /^blocks\[0\]\.block_id: 256 chars/,
  },
  {
    name: 'action_id length',
    surface: 'message',
    limit: 255,
    make: (n) => message(actions(button({ action_id: x(n) }))),
    problem: /^blocks\[0\]\.elements\[0\]\.action_id: 256 chars/,
  },
  {
    name: 'button text',
    surface: 'message',
    limit: 75,
    make: (n) => message(actions(button({ text: plain(x(n)) }))),
    problem: /^blocks\[0\]\.elements\[0\]\.text\.text: 76 chars/,
  },
  {
    name: 'button value',
    surface: 'message',
    limit: 2000,
    make: (n) => message(actions(button({ value: x(n) }))),
    problem: /^blocks\[0\]\.elements\[0\]\.value: 2001 chars/,
  },
  {
    name: 'button url',
    surface: 'message',
    limit: 3000,
    make: (n) => message(actions(button({ url: `https://e.com/${x(n - 14)}` }))),
    problem: /^blocks\[0\]\.elements\[0\]\.url: 3001 chars/,
  },
  {
    name: 'select options',
    surface: 'message',
    limit: 100,
    make: (n) => message(actions(select({ options: times(n, (i) => option(`o${i}`, `${i}`)) }))),
    problem: /^blocks\[0\]\.elements\[0\]\.options: 101 items, max 100$/,
  },
  {
    name: 'option text',
    surface: 'message',
    limit: 75,
    make: (n) => message(actions(select({ options: [option(x(n), '1')] }))),
    problem: /^blocks\[0\]\.elements\[0\]\.options\[0\]\.text\.text: 76 chars/,
  },
  {
    name: 'option value',
    surface: 'message',
    limit: 150,
    make: (n) => message(actions(select({ options: [option('One', x(n))] }))),
    problem: /^blocks\[0\]\.elements\[0\]\.options\[0\]\.value: 151 chars/,
  },
  {
    name: 'select placeholder',
    surface: 'message',
    limit: 150,
    make: (n) => message(actions(select({ placeholder: plain(x(n)) }))),
    problem: /^blocks\[0\]\.elements\[0\]\.placeholder\.text: 151 chars/,
  },
  {
    name: 'plain_text_input max_length',
    surface: 'modal',
    limit: 3000,
    make: (n) => modal([input({ element: { type: 'plain_text_input', action_id: 'email', max_length: n } })]),
    problem: /^view\.blocks\[0\]\.element\.max_length: must be 1\.\.3000$/,
  },
  {
    name: 'image alt_text',
    surface: 'message',
    limit: 2000,
    make: (n) => message({ type: 'image', image_url: 'https://e.com/qr.png', alt_text: x(n) }),
    problem: /^blocks\[0\]\.alt_text: 2001 chars/,
  },
  {
    name: 'input label',
    surface: 'modal',
    limit: 2000,
    make: (n) => modal([input({ label: plain(x(n)) })]),
    problem: /^view\.blocks\[0\]\.label\.text: 2001 chars/,
  },
  {
    name: 'input hint',
    surface: 'modal',
    limit: 2000,
    make: (n) => modal([input({ hint: plain(x(n)) })]),
    problem: /^view\.blocks\[0\]\.hint\.text: 2001 chars/,
  },
  {
    name: 'confirm title',
    surface: 'message',
    limit: 100,
    make: (n) => message(actions(button({ confirm: confirm({ title: plain(x(n)) }) }))),
    problem: /^blocks\[0\]\.elements\[0\]\.confirm\.title\.text: 101 chars/,
  },
  {
    name: 'confirm text',
    surface: 'message',
    limit: 300,
    make: (n) => message(actions(button({ confirm: confirm({ text: mrkdwn(x(n)) }) }))),
    problem: /confirm\.text\.text: 301 chars/,
  },
  {
    name: 'confirm button',
    surface: 'message',
    limit: 30,
    make: (n) => message(actions(button({ confirm: confirm({ confirm: plain(x(n)) }) }))),
    problem: /confirm\.confirm\.text: 31 chars/,
  },
  {
    name: 'confirm deny',
    surface: 'message',
    limit: 30,
    make: (n) => message(actions(button({ confirm: confirm({ deny: plain(x(n)) }) }))),
    problem: /confirm\.deny\.text: 31 chars/,
  },
  {
    name: 'modal title',
    surface: 'modal',
    limit: 24,
    make: (n) => modal([], { title: plain(x(n)) }),
    problem: /^view\.title\.text: 25 chars, max 24$/,
  },
  {
    name: 'modal submit',
    surface: 'modal',
    limit: 24,
    make: (n) => modal([], { submit: plain(x(n)) }),
    problem: /^view\.submit\.text: 25 chars/,
  },
  {
    name: 'modal close',
    surface: 'modal',
    limit: 24,
    make: (n) => modal([], { close: plain(x(n)) }),
    problem: /^view\.close\.text: 25 chars/,
  },
  {
    name: 'callback_id',
    surface: 'modal',
    limit: 255,
    make: (n) => modal([], { callback_id: x(n) }),
    problem: /^view\.callback_id: 256 chars/,
  },
  {
    name: 'private_metadata',
    surface: 'modal',
    limit: 3000,
    make: (n) => modal([], { private_metadata: x(n) }),
    problem: /^view\.private_metadata: 3001 chars/,
  },
  {
    name: 'message text',
    surface: 'message',
    limit: 40_000,
    make: (n) => ({ text: x(n) }),
    problem: /^text: 40001 chars, max 40000$/,
  },
  {
    name: 'block text in all of a message',
    surface: 'message',
    limit: 12_000,
    make: (n) =>
      message(...times(4, () => section(x(3000))), ...(n > 12_000 ? [section(x(n - 12_000))] : [])),
    problem: /^blocks: 12001 chars of text in all/,
  },
];

describe('blockKitProblems limits', () => {
  it.each(limits)('accepts $limit and refuses one more: $name', ({ surface, limit, make, problem }) => {
    expect(blockKitProblems(surface, make(limit))).toEqual([]);
    const problems = blockKitProblems(surface, make(limit + 1));
    expect(
      problems.some((p) => problem.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });
});

interface RuleCase {
  name: string;
  surface: Surface;
  payload: BlockKitPayload;
  problem: RegExp;
}

const rules: RuleCase[] = [
  {
    name: 'an empty section text',
    surface: 'message',
    payload: message(section('')),
    problem: /^blocks\[0\]\.text\.text: must not be empty$/,
  },
  {
    name: 'a section with neither text nor fields',
    surface: 'message',
    payload: message({ type: 'section' }),
    problem: /^blocks\[0\]: needs text or fields$/,
  },
  {
    name: 'a mrkdwn header',
    surface: 'message',
    payload: message({ type: 'header', text: mrkdwn('Account') }),
    problem: /^blocks\[0\]\.text\.type: must be plain_text$/,
  },
  {
    name: 'a repeated block_id',
    surface: 'message',
    payload: message(section('a', { block_id: 'card' }), section('b', { block_id: 'card' })),
    problem: /^blocks\[1\]\.block_id: "card" is not unique$/,
  },
  {
    name: 'a repeated action_id within one block',
    surface: 'message',
    payload: message(actions(button({ action_id: 'go' }), button({ action_id: 'go' }))),
    problem: /^blocks\[0\]\.elements\[1\]\.action_id: "go" repeats in this block$/,
  },
  {
    name: 'a button style other than primary or danger',
    surface: 'message',
    payload: message(actions(button({ style: 'warning' }))),
    problem: /^blocks\[0\]\.elements\[0\]\.style: must be primary or danger$/,
  },
  {
    name: 'a button without text',
    surface: 'message',
    payload: message(actions({ type: 'button', action_id: 'go' })),
    problem: /^blocks\[0\]\.elements\[0\]\.text: is required$/,
  },
  {
    name: 'a confirm without deny',
    surface: 'message',
    payload: message(
      actions(button({ confirm: { title: plain('t'), text: plain('x'), confirm: plain('Yes') } })),
    ),
    problem: /^blocks\[0\]\.elements\[0\]\.confirm\.deny: is required$/,
  },
  {
    name: 'an image without alt_text',
    surface: 'message',
    payload: message({ type: 'image', image_url: 'https://e.com/qr.png' }),
    problem: /^blocks\[0\]\.alt_text: is required$/,
  },
  {
    name: 'an input without an element',
    surface: 'modal',
    payload: modal([input({ element: undefined })]),
    problem: /^view\.blocks\[0\]\.element: is required$/,
  },
  {
    name: 'a modal with an input but no submit button',
    surface: 'modal',
    payload: modal([input()], { submit: undefined }),
    problem: /^view\.submit: is required$/,
  },
  {
    name: 'a modal without a title',
    surface: 'modal',
    payload: modal([], { title: undefined }),
    problem: /^view\.title: is required$/,
  },
  {
    name: 'a modal payload with no view',
    surface: 'modal',
    payload: { blocks: [] },
    problem: /^view: a modal payload needs a view object$/,
  },
  {
    name: 'a Home tab view of type modal',
    surface: 'home',
    payload: { view: { type: 'modal', blocks: [] } },
    problem: /^view\.type: must be "home"$/,
  },
  {
    name: 'a message with neither text nor blocks',
    surface: 'message',
    payload: {},
    problem: /^message: needs text or blocks$/,
  },
  {
    name: 'an unknown block type',
    surface: 'message',
    payload: message({ type: 'sektion', text: mrkdwn('x') }),
    problem: /^blocks\[0\]\.type: unknown block type "sektion"$/,
  },
  {
    name: 'a select with both options and option_groups',
    surface: 'message',
    payload: message(
      actions(select({ option_groups: [{ label: plain('G'), options: [option('One', '1')] }] })),
    ),
    problem: /^blocks\[0\]\.elements\[0\]: needs options or option_groups \(one of them\)$/,
  },
];

describe('blockKitProblems rules', () => {
  it.each(rules)('reports $name', ({ surface, payload, problem }) => {
    const problems = blockKitProblems(surface, payload);
    expect(
      problems.some((p) => problem.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('accepts a modal with no submit button when it has no input', () => {
    expect(blockKitProblems('modal', modal([section('Loading…')], { submit: undefined }))).toEqual([]);
  });

  it('allows the same action_id in different blocks', () => {
    expect(blockKitProblems('message', message(actions(button()), actions(button())))).toEqual([]);
  });

  it('accepts a realistic modal and message that use every block kind', () => {
    const form = modal(
      [
        { type: 'header', text: plain('New eSIM') },
        section('Pick a bundle', { accessory: select({ initial_option: option('One', '1') }) }),
        input({ hint: plain('We send the QR here'), optional: true }),
        input({
          block_id: 'bundle',
          label: plain('Bundle'),
          element: select({ action_id: 'bundle', placeholder: plain('Choose') }),
        }),
        {
          type: 'context',
          elements: [mrkdwn('Sandbox'), { type: 'image', image_url: 'https://e.com/i.png', alt_text: 'i' }],
        },
        { type: 'divider' },
        {
          type: 'rich_text',
          elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hi' }] }],
        },
      ],
      { callback_id: 'provision', private_metadata: '{"v":1}', close: plain('Cancel') },
    );
    expect(blockKitProblems('modal', form)).toEqual([]);
    const card = message(
      section('*Account* 447700900123', { fields: [mrkdwn('*Status*'), mrkdwn('Active')] }),
      actions(button({ style: 'danger', value: '447700900123', confirm: confirm({ style: 'danger' }) })),
      { type: 'image', image_url: 'https://e.com/qr.png', alt_text: 'QR code', title: plain('QR') },
    );
    expect(blockKitProblems('message', card)).toEqual([]);
  });
});

describe('assertWithinBlockKitLimits', () => {
  it('throws listing every problem', () => {
    const payload = message(section(''), { type: 'header', text: plain(x(151)) });
    expect(() => assertWithinBlockKitLimits('message', payload)).toThrow(
      /blocks\[0\]\.text\.text: must not be empty\n- blocks\[1\]\.text\.text: 151 chars/,
    );
  });

  it('returns quietly for a payload within the limits', () => {
    expect(() => assertWithinBlockKitLimits('message', message(section('ok')))).not.toThrow();
  });
});
