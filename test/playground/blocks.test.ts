import { describe, expect, it } from 'vitest';
import {
  type RenderContext,
  renderBlock,
  renderBlocks,
  renderElement,
  renderModal,
} from '../../src/playground/ui/blocks.js';

const ctx: RenderContext = {
  surface: 'message',
  emoji: { tada: '🎉' },
  people: { U0ADMIN01: 'ada', U0VIEW001: 'vic' },
  channels: { C0OPS0001: 'ops' },
};
const plain = (text: string) => ({ type: 'plain_text', text });
const md = (text: string) => ({ type: 'mrkdwn', text });
const option = (text: string, value: string) => ({ text: plain(text), value });
/** The JSON an element carries for the page (its action payload). */
const payloadOf = (html: string) => {
  const m = /data-el="([^"]*)"/.exec(html);
  return m?.[1]
    ? (JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Record<string, unknown>)
    : null;
};

describe('Block Kit blocks', () => {
  it('header: plain text as a heading', () => {
    expect(renderBlock({ type: 'header', text: plain('Account :tada:') }, ctx)).toBe(
      '<h3 class="b-header">Account <span class="emoji" title=":tada:">🎉</span></h3>',
    );
  });

  it('section: text, fields in two columns and an accessory', () => {
    const html = renderBlock(
      {
        type: 'section',
        block_id: 'card',
        text: md('*MPN*'),
        fields: [md('*ICCID*\n894'), md('*Group*\nACME')],
        accessory: { type: 'button', action_id: 'open', text: plain('Open'), value: '42' },
      },
      ctx,
    );
    expect(html).toContain('<div class="b-text"><strong>MPN</strong></div>');
    expect(html.match(/class="b-field"/g)).toHaveLength(2);
    expect(payloadOf(html)).toMatchObject({
      type: 'button',
      action_id: 'open',
      block_id: 'card',
      value: '42',
    });
    expect(html).toContain('data-dispatch="1"');
  });

  it('section with an image accessory', () => {
    expect(
      renderBlock(
        {
          type: 'section',
          text: md('x'),
          accessory: { type: 'image', image_url: 'https://e.x/i.png', alt_text: 'pic' },
        },
        ctx,
      ),
    ).toContain('<img class="accessory-image" src="https://e.x/i.png" alt="pic"');
  });

  it('context: text and small images', () => {
    const html = renderBlock(
      {
        type: 'context',
        elements: [md('_sandbox_'), { type: 'image', image_url: 'https://e.x/a.png', alt_text: 'a' }],
      },
      ctx,
    );
    expect(html).toContain('<em>sandbox</em>');
    expect(html).toContain('class="context-image"');
  });

  it('divider', () => {
    expect(renderBlock({ type: 'divider' }, ctx)).toBe('<hr class="b-divider">');
  });

  it('image: title and picture; a javascript: URL is not loaded', () => {
    const html = renderBlock(
      { type: 'image', title: plain('QR'), image_url: 'https://e.x/qr.png', alt_text: 'QR code' },
      ctx,
    );
    expect(html).toContain('<div class="b-image-title">QR</div>');
    expect(html).toContain('src="https://e.x/qr.png"');
    expect(renderBlock({ type: 'image', image_url: 'javascript:alert(1)', alt_text: 'x' }, ctx)).toContain(
      'src=""',
    );
  });

  it('actions: every element dispatches at once', () => {
    const html = renderBlock(
      {
        type: 'actions',
        block_id: 'row',
        elements: [
          { type: 'button', action_id: 'ok', text: plain('OK'), style: 'primary' },
          { type: 'button', action_id: 'no', text: plain('Cease'), style: 'danger' },
        ],
      },
      ctx,
    );
    expect(html).toContain('class="btn primary"');
    expect(html).toContain('class="btn danger"');
    expect(html.match(/data-dispatch="1"/g)).toHaveLength(2);
  });

  it('input: label, optional mark, hint, the error under it, and no dispatch unless dispatch_action', () => {
    const input = {
      type: 'input',
      block_id: 'email',
      optional: true,
      label: plain('Email'),
      hint: plain('Where the QR goes'),
      element: { type: 'email_text_input', action_id: 'email' },
    };
    const html = renderBlock(input, { ...ctx, surface: 'modal', errors: { email: 'Not an email address' } });
    expect(html).toContain('<span class="optional">(optional)</span>');
    expect(html).toContain('<div class="hint">Where the QR goes</div>');
    expect(html).toContain('<div class="field-error" role="alert">Not an email address</div>');
    expect(html).toContain('type="email"');
    expect(html).not.toContain('data-dispatch');
    expect(html).not.toContain('data-required');

    const dispatching = renderBlock(
      {
        ...input,
        optional: false,
        dispatch_action: true,
        element: {
          type: 'plain_text_input',
          action_id: 'q',
          dispatch_action_config: { trigger_actions_on: ['on_character_entered'] },
        },
      },
      ctx,
    );
    expect(dispatching).toContain('data-dispatch-on="on_character_entered"');
    expect(dispatching).toContain('data-required="1"');
  });

  it('rich_text: sections with styles, links, mentions and emoji; lists, quotes, preformatted', () => {
    const html = renderBlock(
      {
        type: 'rich_text',
        elements: [
          {
            type: 'rich_text_section',
            elements: [
              { type: 'text', text: 'bold', style: { bold: true } },
              { type: 'link', url: 'https://e.x', text: 'site' },
              { type: 'link', url: 'javascript:x', text: 'bad' },
              { type: 'user', user_id: 'U0ADMIN01' },
              { type: 'channel', channel_id: 'C0OPS0001' },
              { type: 'emoji', name: 'tada' },
              { type: 'broadcast', range: 'here' },
            ],
          },
          {
            type: 'rich_text_list',
            style: 'ordered',
            elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }],
          },
          { type: 'rich_text_quote', elements: [{ type: 'text', text: 'q' }] },
          { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'pre' }] },
        ],
      },
      ctx,
    );
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<a href="https://e.x"');
    expect(html).toContain('bad');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('@ada');
    expect(html).toContain('#ops');
    expect(html).toContain('🎉');
    expect(html).toContain('@here');
    expect(html).toContain('<ol class="rt-list"><li>one</li></ol>');
    expect(html).toContain('<blockquote>q</blockquote>');
    expect(html).toContain('<pre>pre</pre>');
  });

  it('markdown block: its text, escaped', () => {
    expect(renderBlock({ type: 'markdown', text: '**x** <b>' }, ctx)).toBe(
      '<div class="b-markdown">**x** &lt;b&gt;</div>',
    );
  });

  it('an unknown block is a visible placeholder naming its type, never dropped', () => {
    const html = renderBlocks([{ type: 'divider' }, { type: 'table', rows: [] }, { type: 'video' }], ctx);
    expect(html).toContain('Unsupported block: <code>table</code>');
    expect(html).toContain('Unsupported block: <code>video</code>');
  });
});

describe('Block Kit elements', () => {
  it('button: text, value, style and its confirm dialog in the payload', () => {
    const confirm = {
      title: plain('Sure?'),
      text: plain('Really'),
      confirm: plain('Yes'),
      deny: plain('No'),
      style: 'danger',
    };
    const html = renderElement(
      { type: 'button', action_id: 'cease', text: plain('Cease'), value: 'v', style: 'danger', confirm },
      'b',
      ctx,
      true,
    );
    expect(payloadOf(html)).toEqual({
      type: 'button',
      action_id: 'cease',
      block_id: 'b',
      confirm,
      text: plain('Cease'),
      value: 'v',
      style: 'danger',
    });
  });

  it('link button: opens its URL (http only)', () => {
    expect(
      renderElement(
        { type: 'button', action_id: 'l', text: plain('Docs'), url: 'https://e.x' },
        'b',
        ctx,
        true,
      ),
    ).toContain('href="https://e.x"');
    expect(
      renderElement(
        { type: 'button', action_id: 'l', text: plain('Docs'), url: 'javascript:x' },
        'b',
        ctx,
        true,
      ),
    ).toContain('href="#"');
  });

  it('static_select: options, option groups, initial option and placeholder', () => {
    const flat = renderElement(
      {
        type: 'static_select',
        action_id: 's',
        placeholder: plain('Choose'),
        options: [option('A', 'a'), option('B', 'b')],
        initial_option: option('B', 'b'),
      },
      'blk',
      ctx,
      false,
    );
    expect(flat).toContain('<option value="">Choose</option>');
    expect(flat).toMatch(/<option value="b" data-option="[^"]+" selected>B<\/option>/);
    expect(flat).toContain('data-state="1" data-block-id="blk" data-action-id="s" data-type="static_select"');
    const grouped = renderElement(
      {
        type: 'static_select',
        action_id: 's',
        option_groups: [{ label: plain('G'), options: [option('A', 'a')] }],
      },
      'b',
      ctx,
      false,
    );
    expect(grouped).toContain('<optgroup label="G">');
  });

  it('multi_static_select: a multiple select with its initial options', () => {
    const html = renderElement(
      {
        type: 'multi_static_select',
        action_id: 'm',
        options: [option('A', 'a'), option('B', 'b')],
        initial_options: [option('A', 'a')],
      },
      'b',
      ctx,
      false,
    );
    expect(html).toContain(' multiple');
    expect(html).toMatch(/value="a"[^>]* selected/);
  });

  it('external_select and multi_external_select: a search box asking the app (block_suggestion)', () => {
    const html = renderElement(
      {
        type: 'external_select',
        action_id: 'x',
        min_query_length: 2,
        initial_option: option('ACME', 'ACME'),
      },
      'b',
      ctx,
      false,
    );
    expect(html).toContain('class="external"');
    expect(payloadOf(html)).toMatchObject({ min_query_length: 2 });
    expect(html).toContain('<span class="chip"');
    expect(renderElement({ type: 'multi_external_select', action_id: 'x' }, 'b', ctx, false)).toContain(
      'data-multi="1"',
    );
  });

  it('users, conversations and channels selects list the workspace', () => {
    expect(
      renderElement({ type: 'users_select', action_id: 'u', initial_user: 'U0VIEW001' }, 'b', ctx, false),
    ).toMatch(/value="U0VIEW001" selected>vic/);
    expect(renderElement({ type: 'conversations_select', action_id: 'c' }, 'b', ctx, false)).toContain(
      '#ops',
    );
    expect(renderElement({ type: 'channels_select', action_id: 'c' }, 'b', ctx, false)).toContain('#ops');
    expect(renderElement({ type: 'multi_users_select', action_id: 'u' }, 'b', ctx, false)).toContain(
      ' multiple',
    );
    expect(renderElement({ type: 'multi_conversations_select', action_id: 'c' }, 'b', ctx, false)).toContain(
      ' multiple',
    );
    expect(renderElement({ type: 'multi_channels_select', action_id: 'c' }, 'b', ctx, false)).toContain(
      ' multiple',
    );
  });

  it('overflow: a menu of options, each dispatching', () => {
    const html = renderElement(
      { type: 'overflow', action_id: 'o', options: [option('Edit', 'e'), option('Delete', 'd')] },
      'b',
      ctx,
      true,
    );
    expect(html).toContain('<details class="overflow">');
    expect(html.match(/class="menu-item"/g)).toHaveLength(2);
  });

  it('radio_buttons and checkboxes: options with descriptions and initial choices', () => {
    const radio = renderElement(
      {
        type: 'radio_buttons',
        action_id: 'r',
        options: [{ ...option('UC', 'uc'), description: plain('ONSIM') }, option('PBX', 'pbx')],
        initial_option: option('UC', 'uc'),
      },
      'b',
      ctx,
      true,
    );
    expect(radio).toMatch(/type="radio"[^>]*value="uc"[^>]* checked/);
    expect(radio).toContain('<span class="hint">ONSIM</span>');
    const boxes = renderElement(
      {
        type: 'checkboxes',
        action_id: 'c',
        options: [option('Voice', 'v')],
        initial_options: [option('Voice', 'v')],
      },
      'b',
      ctx,
      false,
    );
    expect(boxes).toMatch(/type="checkbox"[^>]* checked/);
  });

  it('datepicker, timepicker and datetimepicker with their initial values', () => {
    expect(
      renderElement({ type: 'datepicker', action_id: 'd', initial_date: '2026-12-03' }, 'b', ctx, false),
    ).toContain('type="date" class="text" value="2026-12-03"');
    expect(
      renderElement({ type: 'timepicker', action_id: 't', initial_time: '09:30' }, 'b', ctx, false),
    ).toContain('value="09:30"');
    expect(
      renderElement(
        { type: 'datetimepicker', action_id: 'dt', initial_date_time: 1_796_284_800 },
        'b',
        ctx,
        false,
      ),
    ).toContain('type="datetime-local"');
  });

  it('text inputs: single and multi-line, email, url, number, rich text; limits and initial values', () => {
    const one = renderElement(
      {
        type: 'plain_text_input',
        action_id: 'p',
        initial_value: 'x"y',
        max_length: 30,
        placeholder: plain('hint'),
      },
      'b',
      ctx,
      false,
    );
    expect(one).toContain('value="x&quot;y"');
    expect(one).toContain('maxlength="30"');
    expect(one).toContain('placeholder="hint"');
    expect(
      renderElement({ type: 'plain_text_input', action_id: 'p', multiline: true }, 'b', ctx, false),
    ).toContain('<textarea');
    expect(renderElement({ type: 'url_text_input', action_id: 'u' }, 'b', ctx, false)).toContain(
      'type="url"',
    );
    expect(
      renderElement({ type: 'number_input', action_id: 'n', is_decimal_allowed: false }, 'b', ctx, false),
    ).toContain('inputmode="numeric"');
    expect(renderElement({ type: 'rich_text_input', action_id: 'r' }, 'b', ctx, false)).toContain(
      '<textarea',
    );
  });

  it('image element', () => {
    expect(
      renderElement({ type: 'image', image_url: 'https://e.x/a.png', alt_text: 'a' }, 'b', ctx, false),
    ).toContain('class="element-image"');
  });

  it('an unknown element is a visible placeholder naming its type', () => {
    expect(renderElement({ type: 'file_input', action_id: 'f' }, 'b', ctx, false)).toContain(
      'Unsupported element: <code>file_input</code>',
    );
    expect(renderElement({ type: 'workflow_button' }, 'b', ctx, false)).toContain('workflow_button');
  });
});

describe('modals', () => {
  const view = {
    id: 'V1',
    callback_id: 'provision',
    title: plain('Provision a SIM'),
    submit: plain('Provision'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: 'email',
        label: plain('Email'),
        element: { type: 'email_text_input', action_id: 'email' },
      },
    ],
    errors: { email: 'That is not an email address' },
  };

  it('draws title, Close and Submit as the view names them, and field errors under their inputs', () => {
    const html = renderModal(view, ctx, { back: false });
    expect(html).toContain('<h2>Provision a SIM</h2>');
    expect(html).toContain('data-modal="close">Cancel</button>');
    expect(html).toContain('data-modal="submit">Provision</button>');
    expect(html).toContain('That is not an email address');
    expect(html).not.toContain('data-modal="back"');
  });

  it('shows a back arrow on a pushed view, and no Submit on a view without inputs or submit', () => {
    const notice = renderModal(
      { id: 'V2', title: plain('Done'), blocks: [{ type: 'section', text: md('ok') }] },
      ctx,
      { back: true },
    );
    expect(notice).toContain('data-modal="back"');
    expect(notice).not.toContain('data-modal="submit"');
  });
});
