// What someone typed after `/onsim`, as the router and the subcommands read it.

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
