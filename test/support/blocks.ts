// Reading the Block Kit the bot sent, as tests look at it.

/** A button as sent (only what tests read of it). */
export interface SentButton {
  action_id?: string;
  value?: string;
  style?: string;
  text?: { text: string };
}

/** The buttons of a message, response or view's actions blocks, in order. */
export function buttonsIn(sent: { blocks?: unknown }): SentButton[] {
  const blocks = (Array.isArray(sent.blocks) ? sent.blocks : []) as {
    type: string;
    elements?: SentButton[];
  }[];
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

const TEXT_KEYS = new Set(['text', 'view', 'blocks', 'fields', 'elements', 'label', 'hint']);

/** Every text in a Block Kit payload (a view, a message, a view_submission answer), joined. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([k]) => TEXT_KEYS.has(k))
      .map(([, v]) => textOf(v))
      .join('\n');
  }
  return '';
}
