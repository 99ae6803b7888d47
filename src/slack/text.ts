import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Escapes text the bot did not write itself, so Slack shows it instead of parsing it. */
export function esc(text: string | number | undefined | null): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** `447700900123` → `+44 7700 900123` (falls back to `+digits`). */
export function formatMpn(mpn: string | undefined): string {
  if (!mpn) return '—';
  const parsed = parsePhoneNumberFromString(`+${mpn}`);
  return parsed ? parsed.formatInternational() : `+${mpn}`;
}

export const mention = (userId: string): string => `<@${userId}>`;

/** Cuts text to Slack's limit, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
