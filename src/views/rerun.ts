// The paging and rerun protocol: buttons on a look-up's answer (page, share, open) carry the
// command text that produced it, and the router runs that text again.

export const SLASH_COMMAND = '/onsim';
/** Page buttons: any action id starting with this (`list_page`, `list_page_prev`, `list_page_next`). */
export const ACTION_PAGE = 'list_page';
export const ACTION_SHARE = 'share_in_channel';
/** Runs a look-up and answers in a new private message, leaving the one clicked as it was (find's "Open"). */
export const ACTION_OPEN = 'open_answer';

/** Page and share buttons carry `<page>|<command text>`. */
export function rerunValue(text: string, page = 0): string {
  return `${page}|${text}`.slice(0, 2000);
}

export function parseRerunValue(value: string): { page: number; text: string } | null {
  const m = /^(\d+)\|(.*)$/s.exec(value);
  if (!m) return null;
  return { page: Number(m[1]), text: m[2] ?? '' };
}
