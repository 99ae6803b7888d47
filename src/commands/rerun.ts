// Names and encodings shared by the router and the modules whose buttons re-run a command.
// Kept apart from router.ts so those modules need not import the router (which imports them).

export const SLASH_COMMAND = '/onsim';
/** Page buttons: any action id starting with this (`list_page`, `list_page_prev`, `list_page_next`). */
export const ACTION_PAGE = 'list_page';
export const ACTION_SHARE = 'share_in_channel';
/** Runs a look-up and answers in a new private message, leaving the one clicked as it was (find's "Open"). */
export const ACTION_OPEN = 'open_answer';

/** Undoes what Slack does to typed text: entity escapes, auto-links (`<tel:+44…|+44…>`), smart quotes. */
export function cleanSlackText(text: string): string {
  return text
    .replace(/<(?:tel|mailto|https?):[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<((?:tel|mailto|https?):[^>]*)>/g, (_, link: string) => link.replace(/^(tel|mailto):/, ''))
    .replace(/[“”]/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

export function splitArgs(text: string): string[] {
  // Keeps quoted phrases together: `subscribers "Acme Sales"`.
  return [...cleanSlackText(text).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/** Page and share buttons carry `<page>|<command text>`. */
export function rerunValue(text: string, page = 0): string {
  return `${page}|${text}`.slice(0, 2000);
}

export function parseRerunValue(value: string): { page: number; text: string } | null {
  const m = /^(\d+)\|(.*)$/s.exec(value);
  if (!m) return null;
  return { page: Number(m[1]), text: m[2] ?? '' };
}
