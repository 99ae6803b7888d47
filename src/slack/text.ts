/** Escapes text the bot did not write itself, so Slack shows it instead of parsing it. */
export function esc(text: string | number | undefined | null): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export const mention = (userId: string): string => `<@${userId}>`;

/** How much of what someone typed a reply repeats back. */
export const ECHO_MAX = 60;

/**
 * What someone typed, repeated back in a reply: on one line, clipped (a whole 4,000-character
 * input would push the reply past Slack's 3,000-character section limit, and Slack would refuse
 * it), an eSIM code masked, escaped, as code. Every echo of user input goes through here.
 */
export function echo(typed: string): string {
  const line = typed.replace(/\s+/g, ' ').trim();
  const shown = /lpa:1\$/i.test(line) ? `${line.slice(0, 10)}…` : clip(line, ECHO_MAX);
  return `\`${esc(shown.replace(/`/g, "'"))}\``;
}

/** Cuts text to Slack's limit, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
