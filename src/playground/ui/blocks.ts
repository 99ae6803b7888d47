/**
 * Block Kit to HTML, as Slack draws it: every block and element type the bot may send. Pure (no
 * DOM), so it is unit-tested in Node; the page wires behaviour through `data-*` attributes:
 * - `data-el` on an interactive element: JSON {type, action_id, block_id, …} (its action payload),
 * - `data-state` on an element whose value goes into `view.state.values`,
 * - `data-option` on a choice: the option object, as Slack echoes it back.
 * An unknown block or element is drawn as a visible placeholder, never dropped.
 */
import { escapeHtml, type TextContext, textOf, textToHtml } from './mrkdwn.js';

type Obj = Record<string, unknown>;

export interface RenderContext extends TextContext {
  surface: 'message' | 'modal' | 'home';
  /** Field errors under input blocks (from `response_action: 'errors'`), by block_id. */
  errors?: Record<string, string>;
}

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const s = (x: unknown): string => (typeof x === 'string' ? x : '');
const attr = (x: unknown): string => escapeHtml(JSON.stringify(x));
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

export function unknownPlaceholder(kind: 'block' | 'element', type: unknown): string {
  return `<div class="unknown" role="note">Unsupported ${kind}: <code>${escapeHtml(s(type) || 'no type')}</code> (Slack may show it; the playground cannot)</div>`;
}

/** The fields of an element's action payload that every kind shares. */
const actionBase = (el: Obj, blockId: string) => ({
  type: s(el.type),
  action_id: s(el.action_id),
  block_id: blockId,
  ...(el.confirm ? { confirm: el.confirm } : {}),
});

const sameOption = (a: unknown, b: Obj) => isObj(a) && s(a.value) === s(b.value);

function optionTags(el: Obj, selected: (o: Obj) => boolean): string {
  const one = (o: Obj) =>
    `<option value="${escapeHtml(s(o.value))}" data-option="${attr(o)}"${selected(o) ? ' selected' : ''}>${escapeHtml(textOf(o.text))}</option>`;
  const groups = arr(el.option_groups).filter(isObj);
  if (groups.length > 0) {
    return groups
      .map(
        (g) =>
          `<optgroup label="${escapeHtml(textOf(g.label))}">${arr(g.options).filter(isObj).map(one).join('')}</optgroup>`,
      )
      .join('');
  }
  return arr(el.options).filter(isObj).map(one).join('');
}

const placeholderOf = (el: Obj) => escapeHtml(textOf(el.placeholder));

/** One element. `dispatch` = changing it sends block_actions at once (accessories, actions blocks). */
export function renderElement(el: unknown, blockId: string, ctx: RenderContext, dispatch: boolean): string {
  if (!isObj(el)) return unknownPlaceholder('element', undefined);
  const type = s(el.type);
  const base = actionBase(el, blockId);
  const data = (extra: Obj = {}) =>
    ` data-el="${attr({ ...base, ...extra })}"${dispatch ? ' data-dispatch="1"' : ''}`;
  const state = ` data-state="1" data-block-id="${escapeHtml(blockId)}" data-action-id="${escapeHtml(s(el.action_id))}" data-type="${escapeHtml(type)}"`;
  switch (type) {
    case 'button': {
      const style = s(el.style) === 'primary' || s(el.style) === 'danger' ? ` ${s(el.style)}` : '';
      const payload = { text: el.text, value: el.value, style: el.style };
      if (s(el.url)) {
        const url = /^https?:/i.test(s(el.url)) ? s(el.url) : '#';
        return `<a class="btn${style}" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer"${data(payload)}>${textToHtml(el.text, ctx)}</a>`;
      }
      return `<button type="button" class="btn${style}"${data(payload)}>${textToHtml(el.text, ctx)}</button>`;
    }
    case 'static_select':
    case 'multi_static_select': {
      const multi = type.startsWith('multi_');
      const initial = multi ? arr(el.initial_options) : [el.initial_option];
      const picked = (o: Obj) => initial.some((i) => sameOption(i, o));
      const empty = multi
        ? ''
        : `<option value=""${initial[0] ? '' : ' selected'}>${placeholderOf(el) || 'Select an item'}</option>`;
      return `<select class="select"${multi ? ' multiple' : ''}${state}${data()}>${empty}${optionTags(el, picked)}</select>`;
    }
    case 'external_select':
    case 'multi_external_select': {
      const multi = type.startsWith('multi_');
      const initial = (multi ? arr(el.initial_options) : [el.initial_option]).filter(isObj);
      const chips = initial
        .map((o) => `<span class="chip" data-option="${attr(o)}">${escapeHtml(textOf(o.text))}</span>`)
        .join('');
      return `<div class="external"${state}${data({ min_query_length: el.min_query_length ?? 3 })} data-multi="${multi ? 1 : 0}"><div class="chips">${chips}</div><input type="text" class="text" autocomplete="off" placeholder="${placeholderOf(el) || 'Type to search'}"><div class="suggestions" hidden></div></div>`;
    }
    case 'users_select':
    case 'multi_users_select':
    case 'conversations_select':
    case 'multi_conversations_select':
    case 'channels_select':
    case 'multi_channels_select': {
      const multi = type.startsWith('multi_');
      const users = type.includes('users');
      const source = users ? ctx.people : ctx.channels;
      const initialKey = users
        ? 'initial_user'
        : type.includes('conversations')
          ? 'initial_conversation'
          : 'initial_channel';
      const initial = multi ? arr(el[`${initialKey}s`]).map(s) : [s(el[initialKey])];
      const options = Object.entries(source)
        .map(
          ([id, name]) =>
            `<option value="${escapeHtml(id)}"${initial.includes(id) ? ' selected' : ''}>${users ? '' : '#'}${escapeHtml(name)}</option>`,
        )
        .join('');
      const empty = multi ? '' : `<option value="">${placeholderOf(el) || 'Select'}</option>`;
      return `<select class="select"${multi ? ' multiple' : ''}${state}${data()}>${empty}${options}</select>`;
    }
    case 'overflow': {
      const items = arr(el.options)
        .filter(isObj)
        .map(
          (o) =>
            `<button type="button" class="menu-item" data-option="${attr(o)}"${data()}>${escapeHtml(textOf(o.text))}</button>`,
        )
        .join('');
      return `<details class="overflow"><summary aria-label="More actions">⋯</summary><div class="menu">${items}</div></details>`;
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const multi = type === 'checkboxes';
      const initial = multi ? arr(el.initial_options) : [el.initial_option];
      const name = `${blockId}/${s(el.action_id)}`;
      const items = arr(el.options)
        .filter(isObj)
        .map((o) => {
          const checked = initial.some((i) => sameOption(i, o)) ? ' checked' : '';
          const description = isObj(o.description)
            ? `<span class="hint">${textToHtml(o.description, ctx)}</span>`
            : '';
          return `<label class="choice"><input type="${multi ? 'checkbox' : 'radio'}" name="${escapeHtml(name)}" value="${escapeHtml(s(o.value))}" data-option="${attr(o)}"${checked}> <span>${textToHtml(o.text, ctx)}${description}</span></label>`;
        })
        .join('');
      return `<div class="choices"${state}${data()}>${items}</div>`;
    }
    case 'datepicker':
      return `<input type="date" class="text" value="${escapeHtml(s(el.initial_date))}"${state}${data()}>`;
    case 'timepicker':
      return `<input type="time" class="text" value="${escapeHtml(s(el.initial_time))}"${state}${data()}>`;
    case 'datetimepicker': {
      const initial =
        typeof el.initial_date_time === 'number'
          ? new Date(el.initial_date_time * 1000).toISOString().slice(0, 16)
          : '';
      return `<input type="datetime-local" class="text" value="${initial}"${state}${data()}>`;
    }
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
    case 'rich_text_input': {
      const initial = escapeHtml(
        s(el.initial_value) || (typeof el.initial_value === 'number' ? String(el.initial_value) : ''),
      );
      const limits = `${typeof el.max_length === 'number' ? ` maxlength="${el.max_length}"` : ''}${typeof el.min_length === 'number' ? ` minlength="${el.min_length}"` : ''}`;
      const placeholder = ` placeholder="${placeholderOf(el)}"`;
      if (el.multiline === true || type === 'rich_text_input') {
        return `<textarea class="text" rows="4"${placeholder}${limits}${state}${data()}>${initial}</textarea>`;
      }
      const inputType: string =
        ({ email_text_input: 'email', url_text_input: 'url' } as Record<string, string>)[type] ?? 'text';
      const mode =
        type === 'number_input' ? ` inputmode="${el.is_decimal_allowed ? 'decimal' : 'numeric'}"` : '';
      return `<input type="${inputType}" class="text" value="${initial}"${placeholder}${limits}${mode}${state}${data()}>`;
    }
    case 'image':
      return imageTag(el, 'element-image');
    default:
      return unknownPlaceholder('element', type);
  }
}

function imageTag(el: Obj, cls: string): string {
  const url = s(el.image_url) || s(isObj(el.slack_file) ? el.slack_file.url : '');
  const safe = /^(https?:|data:image\/)/i.test(url) ? url : '';
  return `<img class="${cls}" src="${escapeHtml(safe)}" alt="${escapeHtml(s(el.alt_text))}" loading="lazy">`;
}

// Rich text: sections, lists, quotes and preformatted runs of styled elements.
function richElement(el: unknown, ctx: RenderContext): string {
  if (!isObj(el)) return '';
  const style = isObj(el.style) ? el.style : {};
  const styled = (html: string) => {
    let out = html;
    if (style.code) out = `<code>${out}</code>`;
    if (style.bold) out = `<strong>${out}</strong>`;
    if (style.italic) out = `<em>${out}</em>`;
    if (style.strike) out = `<del>${out}</del>`;
    return out;
  };
  switch (s(el.type)) {
    case 'text':
      return styled(escapeHtml(s(el.text)).replace(/\n/g, '<br>'));
    case 'link': {
      const url = /^(https?:|mailto:)/i.test(s(el.url)) ? s(el.url) : '';
      const label = escapeHtml(s(el.text) || s(el.url));
      return styled(
        url ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${label}</a>` : label,
      );
    }
    case 'user':
      return `<span class="mention">@${escapeHtml(ctx.people[s(el.user_id)] ?? s(el.user_id))}</span>`;
    case 'channel':
      return `<span class="mention channel">#${escapeHtml(ctx.channels[s(el.channel_id)] ?? s(el.channel_id))}</span>`;
    case 'usergroup':
      return `<span class="mention">@${escapeHtml(s(el.usergroup_id))}</span>`;
    case 'broadcast':
      return `<span class="mention">@${escapeHtml(s(el.range))}</span>`;
    case 'emoji': {
      const emoji =
        ctx.emoji[s(el.name)] ??
        (s(el.unicode)
          ? String.fromCodePoint(
              ...s(el.unicode)
                .split('-')
                .map((h) => Number.parseInt(h, 16)),
            )
          : `:${s(el.name)}:`);
      return `<span class="emoji">${escapeHtml(emoji)}</span>`;
    }
    case 'date':
      return escapeHtml(s(el.fallback) || new Date(Number(el.timestamp) * 1000).toUTCString());
    default:
      return unknownPlaceholder('element', el.type);
  }
}

function richBlock(part: unknown, ctx: RenderContext): string {
  if (!isObj(part)) return '';
  const inner = arr(part.elements)
    .map((e) => richElement(e, ctx))
    .join('');
  switch (s(part.type)) {
    case 'rich_text_section':
      return `<div class="rt-section">${inner}</div>`;
    case 'rich_text_preformatted':
      return `<pre>${inner}</pre>`;
    case 'rich_text_quote':
      return `<blockquote>${inner}</blockquote>`;
    case 'rich_text_list': {
      const tag = s(part.style) === 'ordered' ? 'ol' : 'ul';
      const items = arr(part.elements)
        .map(
          (section) =>
            `<li>${
              isObj(section)
                ? arr(section.elements)
                    .map((e) => richElement(e, ctx))
                    .join('')
                : ''
            }</li>`,
        )
        .join('');
      return `<${tag} class="rt-list">${items}</${tag}>`;
    }
    default:
      return unknownPlaceholder('element', part.type);
  }
}

export function renderBlock(block: unknown, ctx: RenderContext): string {
  if (!isObj(block)) return unknownPlaceholder('block', undefined);
  const type = s(block.type);
  const blockId = s(block.block_id);
  const id = blockId ? ` data-block-id="${escapeHtml(blockId)}"` : '';
  switch (type) {
    case 'header':
      return `<h3 class="b-header"${id}>${textToHtml(block.text, ctx)}</h3>`;
    case 'divider':
      return `<hr class="b-divider"${id}>`;
    case 'section': {
      const text = block.text ? `<div class="b-text">${textToHtml(block.text, ctx)}</div>` : '';
      const fields = arr(block.fields).length
        ? `<div class="b-fields">${arr(block.fields)
            .map((f) => `<div class="b-field">${textToHtml(f, ctx)}</div>`)
            .join('')}</div>`
        : '';
      const accessory = block.accessory
        ? `<div class="b-accessory">${isObj(block.accessory) && block.accessory.type === 'image' ? imageTag(block.accessory, 'accessory-image') : renderElement(block.accessory, blockId, ctx, true)}</div>`
        : '';
      return `<div class="b-section"${id}><div class="b-main">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context': {
      const parts = arr(block.elements)
        .map((e) =>
          isObj(e) && e.type === 'image'
            ? imageTag(e, 'context-image')
            : `<span>${textToHtml(e, ctx)}</span>`,
        )
        .join('');
      return `<div class="b-context"${id}>${parts}</div>`;
    }
    case 'image': {
      const title = block.title ? `<div class="b-image-title">${textToHtml(block.title, ctx)}</div>` : '';
      return `<figure class="b-image"${id}>${title}${imageTag(block, 'block-image')}</figure>`;
    }
    case 'actions':
      return `<div class="b-actions"${id}>${arr(block.elements)
        .map((e) => renderElement(e, blockId, ctx, true))
        .join('')}</div>`;
    case 'input': {
      const el = isObj(block.element) ? block.element : {};
      const error = ctx.errors?.[blockId];
      const optional = block.optional === true ? ' <span class="optional">(optional)</span>' : '';
      const hint = block.hint ? `<div class="hint">${textToHtml(block.hint, ctx)}</div>` : '';
      const dispatch = block.dispatch_action === true;
      const config = isObj(el.dispatch_action_config)
        ? arr(el.dispatch_action_config.trigger_actions_on)
        : ['on_enter_pressed'];
      const dispatchAttr = dispatch ? ` data-dispatch-on="${escapeHtml(config.map(s).join(' '))}"` : '';
      const errorHtml = error ? `<div class="field-error" role="alert">${escapeHtml(error)}</div>` : '';
      const required = block.optional === true ? '' : ' data-required="1"';
      return `<div class="b-input${error ? ' has-error' : ''}"${id}${dispatchAttr}${required}><label class="label">${textToHtml(block.label, ctx)}${optional}</label>${renderElement(el, blockId, ctx, false)}${hint}${errorHtml}</div>`;
    }
    case 'rich_text':
      return `<div class="b-rich"${id}>${arr(block.elements)
        .map((p) => richBlock(p, ctx))
        .join('')}</div>`;
    case 'markdown':
      return `<div class="b-markdown"${id}>${escapeHtml(s(block.text)).replace(/\n/g, '<br>')}</div>`;
    default:
      return unknownPlaceholder('block', type);
  }
}

export function renderBlocks(blocks: unknown, ctx: RenderContext): string {
  return arr(blocks)
    .map((b) => renderBlock(b, ctx))
    .join('');
}

/** A modal: title bar, blocks, and Close/Submit as Slack labels them. `back` when pushed on another. */
export function renderModal(view: Obj, ctx: TextContext, opts: { back: boolean }): string {
  const errors = isObj(view.errors) ? (view.errors as Record<string, string>) : undefined;
  const hasInput = arr(view.blocks).some((b) => isObj(b) && b.type === 'input');
  const submit = view.submit ? textToHtml(view.submit, ctx) : hasInput ? 'Submit' : '';
  const close = view.close ? textToHtml(view.close, ctx) : 'Cancel';
  const back = opts.back
    ? '<button type="button" class="icon" data-modal="back" aria-label="Back">←</button>'
    : '';
  return `<div class="modal" role="dialog" aria-modal="true" data-view-id="${escapeHtml(s(view.id))}" data-callback-id="${escapeHtml(s(view.callback_id))}">
  <div class="modal-head">${back}<h2>${textToHtml(view.title, ctx)}</h2><button type="button" class="icon" data-modal="close" aria-label="Close">×</button></div>
  <div class="modal-body">${renderBlocks(view.blocks, { ...ctx, surface: 'modal', errors })}</div>
  <div class="modal-foot"><button type="button" class="btn" data-modal="close">${close}</button>${submit ? `<button type="button" class="btn primary" data-modal="submit">${submit}</button>` : ''}</div>
</div>`;
}
