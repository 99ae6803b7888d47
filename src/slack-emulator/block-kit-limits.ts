/**
 * Checks a message, modal or Home tab against Slack's Block Kit limits (shared/slack-platform.md §1),
 * so a test fails here instead of Slack answering `invalid_blocks` in production. Lengths are counted
 * in UTF-16 units (String#length): Slack does not say how it counts, and this is the stricter reading.
 */

export type Surface = 'message' | 'modal' | 'home';

export interface BlockKitPayload {
  blocks?: unknown[];
  text?: string;
  view?: unknown;
}

type Obj = Record<string, unknown>;

const MAX_BLOCKS = { message: 50, modal: 100, home: 100 } as const;
const MAX_MESSAGE_TEXT = 40_000;
/** Undocumented cumulative limit behind `msg_blocks_too_long` (about 12–13k characters). */
const MAX_MESSAGE_BLOCK_TEXT = 12_000;
const MAX_VIEW_BYTES = 250_000;

const ELEMENT_TYPES = new Set([
  'button',
  'checkboxes',
  'radio_buttons',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'image',
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
  'file_input',
  'workflow_button',
  ...['static', 'external', 'users', 'conversations', 'channels'].flatMap((k) => [
    `${k}_select`,
    `multi_${k}_select`,
  ]),
]);
const PASS_THROUGH_BLOCKS = new Set(['divider', 'rich_text', 'video', 'file', 'table']);

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Sum of the lengths of every string under a key named `text`, at any depth. */
function textLength(x: unknown): number {
  if (Array.isArray(x)) return x.reduce((sum: number, item) => sum + textLength(item), 0);
  if (!isObj(x)) return 0;
  let sum = 0;
  for (const [key, value] of Object.entries(x))
    sum += key === 'text' && typeof value === 'string' ? value.length : textLength(value);
  return sum;
}

/** The problems found, each as `<path>: <what is wrong>`; empty when the payload is within limits. */
export function blockKitProblems(surface: Surface, payload: BlockKitPayload): string[] {
  const problems: string[] = [];
  const report = (path: string, problem: string): void => {
    problems.push(`${path}: ${problem}`);
  };
  const blockIds = new Set<string>();

  const maxLength = (path: string, value: unknown, max: number) => {
    if (value === undefined) return;
    if (typeof value !== 'string') report(path, 'must be a string');
    else if (value.length > max) report(path, `${value.length} chars, max ${max}`);
  };

  const textObject = (
    path: string,
    value: unknown,
    max: number,
    opts: { plain?: boolean; required?: boolean } = {},
  ) => {
    if (value === undefined) {
      if (opts.required) report(path, 'is required');
      return;
    }
    if (!isObj(value)) return report(path, 'must be a text object');
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn')
      report(`${path}.type`, 'must be plain_text or mrkdwn');
    else if (opts.plain && value.type !== 'plain_text') report(`${path}.type`, 'must be plain_text');
    if (typeof value.text !== 'string' || value.text.length === 0)
      report(`${path}.text`, 'must not be empty');
    else maxLength(`${path}.text`, value.text, Math.min(max, 3000));
  };

  /** Checks the length of an array and visits its items; `undefined` passes when nothing is required. */
  const each = (
    path: string,
    list: unknown,
    max: number,
    min: number,
    visit: (item: unknown, at: string) => void,
  ) => {
    if (list === undefined && min === 0) return;
    if (!Array.isArray(list)) return report(path, 'must be an array');
    if (list.length > max) report(path, `${list.length} items, max ${max}`);
    if (list.length < min) report(path, `${list.length} items, min ${min}`);
    for (const [i, item] of list.entries()) visit(item, `${path}[${i}]`);
  };

  const style = (path: string, value: unknown) => {
    if (value !== undefined && value !== 'primary' && value !== 'danger')
      report(path, 'must be primary or danger');
  };

  const confirm = (path: string, value: unknown) => {
    if (value === undefined) return;
    if (!isObj(value)) return report(path, 'must be a confirm object');
    textObject(`${path}.title`, value.title, 100, { plain: true, required: true });
    textObject(`${path}.text`, value.text, 300, { required: true });
    textObject(`${path}.confirm`, value.confirm, 30, { plain: true, required: true });
    textObject(`${path}.deny`, value.deny, 30, { plain: true, required: true });
    style(`${path}.style`, value.style);
  };

  const option = (path: string, value: unknown) => {
    if (!isObj(value)) return report(path, 'must be an option object');
    textObject(`${path}.text`, value.text, 75, { required: true });
    if (typeof value.value !== 'string' || value.value.length === 0)
      report(`${path}.value`, 'must not be empty');
    else maxLength(`${path}.value`, value.value, 150);
    textObject(`${path}.description`, value.description, 75);
    maxLength(`${path}.url`, value.url, 3000);
  };

  const options = (path: string, list: unknown, max: number, min = 0) => {
    each(path, list, max, min, (o, at) => option(at, o));
  };

  const imageElement = (path: string, el: Obj) => {
    if (el.alt_text === undefined) report(`${path}.alt_text`, 'is required');
    maxLength(`${path}.alt_text`, el.alt_text, 2000);
    if (el.image_url === undefined && el.slack_file === undefined)
      report(path, 'needs image_url or slack_file');
    maxLength(`${path}.image_url`, el.image_url, 3000);
  };

  const element = (path: string, el: unknown, actionIds: Set<string>) => {
    if (!isObj(el)) return report(path, 'must be an element object');
    const type = String(el.type);
    if (!ELEMENT_TYPES.has(type)) return report(`${path}.type`, `unknown element type "${type}"`);
    if (el.action_id !== undefined) {
      maxLength(`${path}.action_id`, el.action_id, 255);
      if (actionIds.has(String(el.action_id)))
        report(`${path}.action_id`, `"${el.action_id}" repeats in this block`);
      actionIds.add(String(el.action_id));
    }
    textObject(`${path}.placeholder`, el.placeholder, 150, { plain: true });
    confirm(`${path}.confirm`, el.confirm);
    if (type === 'button') {
      textObject(`${path}.text`, el.text, 75, { plain: true, required: true });
      maxLength(`${path}.value`, el.value, 2000);
      maxLength(`${path}.url`, el.url, 3000);
      maxLength(`${path}.accessibility_label`, el.accessibility_label, 75);
      style(`${path}.style`, el.style);
    } else if (type === 'static_select' || type === 'multi_static_select') {
      if ((el.options === undefined) === (el.option_groups === undefined))
        report(path, 'needs options or option_groups (one of them)');
      options(`${path}.options`, el.options, 100);
      each(`${path}.option_groups`, el.option_groups, 100, 0, (group, at) => {
        if (!isObj(group)) return report(at, 'must be an option group');
        textObject(`${at}.label`, group.label, 75, { plain: true, required: true });
        options(`${at}.options`, group.options, 100, 1);
      });
      if (el.initial_option !== undefined) option(`${path}.initial_option`, el.initial_option);
    } else if (type === 'overflow') {
      options(`${path}.options`, el.options, 5, 1);
    } else if (type === 'checkboxes' || type === 'radio_buttons') {
      options(`${path}.options`, el.options, 10, 1);
    } else if (type === 'plain_text_input') {
      for (const [key, min] of [
        ['max_length', 1],
        ['min_length', 0],
      ] as const) {
        const n = el[key];
        if (n !== undefined && (typeof n !== 'number' || n < min || n > 3000))
          report(`${path}.${key}`, `must be ${min}..3000`);
      }
      maxLength(
        `${path}.initial_value`,
        el.initial_value,
        typeof el.max_length === 'number' ? el.max_length : 3000,
      );
    } else if (type === 'image') {
      imageElement(path, el);
    }
  };

  const block = (path: string, b: unknown, hasInput: { value: boolean }) => {
    if (!isObj(b)) return report(path, 'must be a block object');
    if (b.block_id !== undefined) {
      maxLength(`${path}.block_id`, b.block_id, 255);
      if (blockIds.has(String(b.block_id))) report(`${path}.block_id`, `"${b.block_id}" is not unique`);
      blockIds.add(String(b.block_id));
    }
    const actionIds = new Set<string>();
    switch (b.type) {
      case 'section':
        if (b.text === undefined && b.fields === undefined) report(path, 'needs text or fields');
        textObject(`${path}.text`, b.text, 3000);
        each(`${path}.fields`, b.fields, 10, 0, (f, at) => textObject(at, f, 2000));
        if (b.accessory !== undefined) element(`${path}.accessory`, b.accessory, actionIds);
        return;
      case 'header':
        return textObject(`${path}.text`, b.text, 150, { plain: true, required: true });
      case 'context':
        return each(`${path}.elements`, b.elements, 10, 1, (el, at) => {
          if (isObj(el) && el.type === 'image') imageElement(at, el);
          else textObject(at, el, 3000);
        });
      case 'actions':
        return each(`${path}.elements`, b.elements, 25, 1, (el, at) => element(at, el, actionIds));
      case 'input':
        hasInput.value = true;
        textObject(`${path}.label`, b.label, 2000, { plain: true, required: true });
        textObject(`${path}.hint`, b.hint, 2000, { plain: true });
        if (b.element === undefined) return report(`${path}.element`, 'is required');
        return element(`${path}.element`, b.element, actionIds);
      case 'image':
        imageElement(path, b);
        return textObject(`${path}.title`, b.title, 2000, { plain: true });
      case 'markdown':
        return maxLength(`${path}.text`, b.text, 12_000);
      default:
        if (!PASS_THROUGH_BLOCKS.has(String(b.type)))
          report(`${path}.type`, `unknown block type "${String(b.type)}"`);
    }
  };

  const blocks = (path: string, list: unknown): { hasInput: boolean } => {
    const hasInput = { value: false };
    each(path, list, MAX_BLOCKS[surface], 0, (b, at) => block(at, b, hasInput));
    return { hasInput: hasInput.value };
  };

  if (surface === 'message') {
    blocks('blocks', payload.blocks);
    maxLength('text', payload.text, MAX_MESSAGE_TEXT);
    if (!payload.text && (payload.blocks ?? []).length === 0) report('message', 'needs text or blocks');
    const blockText = textLength(payload.blocks ?? []);
    if (blockText > MAX_MESSAGE_BLOCK_TEXT)
      report('blocks', `${blockText} chars of text in all, max ~${MAX_MESSAGE_BLOCK_TEXT}`);
    return problems;
  }

  const view = payload.view;
  if (!isObj(view)) {
    report('view', `a ${surface} payload needs a view object`);
    return problems;
  }
  if (view.type !== surface) report('view.type', `must be "${surface}"`);
  if (view.blocks === undefined) report('view.blocks', 'is required');
  const { hasInput } = blocks('view.blocks', view.blocks);
  if (surface === 'modal') {
    textObject('view.title', view.title, 24, { plain: true, required: true });
    textObject('view.submit', view.submit, 24, { plain: true, required: hasInput });
    textObject('view.close', view.close, 24, { plain: true });
  }
  maxLength('view.callback_id', view.callback_id, 255);
  maxLength('view.private_metadata', view.private_metadata, 3000);
  maxLength('view.external_id', view.external_id, 255);
  const bytes = Buffer.byteLength(JSON.stringify(view));
  if (bytes > MAX_VIEW_BYTES) report('view', `${bytes} bytes, max ${MAX_VIEW_BYTES} (view_too_large)`);
  return problems;
}

/** Throws, listing every problem, when the payload breaks a Block Kit limit. */
export function assertWithinBlockKitLimits(surface: Surface, payload: BlockKitPayload): void {
  const problems = blockKitProblems(surface, payload);
  if (problems.length > 0) {
    throw new Error(`Block Kit limits broken (${surface}):\n- ${problems.join('\n- ')}`);
  }
}
