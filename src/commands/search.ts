// Matching people and lines by what someone remembers of them: part of a name (with or without
// its accents), an email, a number in any of the forms people write it, an ICCID fragment.
// Pure: used by `/onsim find` and the "Look up in ONSIM" message shortcut.
import { type CountryCode, getCountryCallingCode } from 'libphonenumber-js';
import { parseIccid, parseMpn } from '../onsim/identifiers.js';
import type { Subscriber } from '../onsim/reseller.js';

/** Letters that carry no combining mark to strip, as people type them on an English keyboard. */
const PLAIN_LETTERS: Record<string, string> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  đ: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
};

/** Lower case without accents or other marks: "Ökafor" and "okafor", "Ødegård" and "odegard" are the same search. */
export const fold = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase('en')
    .replace(/[øæœßđłıþ]/g, (c) => PLAIN_LETTERS[c] ?? c);

/** Fewer digits than this match too many numbers to mean anything. */
export const MIN_DIGITS = 3;
export const MIN_LETTERS = 2;

export type SearchQuery =
  | { ok: true; words: string[]; digits: string[] }
  | { ok: false; problem: 'empty' | 'too_short' };

/**
 * Reads what was typed: a number-like query ("+44 7700 900", "07700 900123", "8944 5301") becomes
 * the digit strings to look for in MPNs and ICCIDs (national forms in international digits too);
 * anything else becomes words, every one of which must appear in the name or email.
 */
export function parseQuery(text: string, country: CountryCode): SearchQuery {
  const typed = text.trim();
  if (typed === '') return { ok: false, problem: 'empty' };
  if (/^[+\d\s().\-\u2010-\u2015/]+$/u.test(typed)) {
    const raw = typed.replace(/\D/g, '');
    if (raw.length < MIN_DIGITS) return { ok: false, problem: 'too_short' };
    const digits = new Set([raw]);
    if (raw.startsWith('00')) digits.add(raw.slice(2));
    else if (raw.startsWith('0') && !typed.startsWith('+'))
      digits.add(getCountryCallingCode(country) + raw.slice(1));
    // The printed 20-digit ICCID carries a check digit ONSIM leaves out.
    const iccid = parseIccid(raw);
    if (iccid.ok) digits.add(iccid.value);
    return { ok: true, words: [], digits: [...digits].filter((d) => d.length >= MIN_DIGITS) };
  }
  const words = fold(typed)
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.join('').length < MIN_LETTERS) return { ok: false, problem: 'too_short' };
  return { ok: true, words, digits: [] };
}

const haystack = (s: Subscriber): string =>
  fold([s.first_name, s.last_name, s.email].filter(Boolean).join(' '));

export function matchesSubscriber(query: Extract<SearchQuery, { ok: true }>, s: Subscriber): boolean {
  if (query.digits.length > 0) {
    const numbers = [s.mpn ?? '', s.iccid?.replace(/^ONSIM/i, '') ?? ''];
    return query.digits.some((d) => numbers.some((n) => n.includes(d)));
  }
  const text = haystack(s);
  return query.words.every((w) => text.includes(w));
}

/** Subscribers matching the query, by last then first name. */
export function searchSubscribers(
  query: Extract<SearchQuery, { ok: true }>,
  all: readonly Subscriber[],
): Subscriber[] {
  return all
    .filter((s) => matchesSubscriber(query, s))
    .sort(
      (a, b) =>
        (a.last_name ?? '').localeCompare(b.last_name ?? '', 'en', { sensitivity: 'base' }) ||
        (a.first_name ?? '').localeCompare(b.first_name ?? '', 'en', { sensitivity: 'base' }) ||
        (a.mpn ?? '').localeCompare(b.mpn ?? ''),
    );
}

export type FoundIdentifier = { kind: 'mpn' | 'iccid'; value: string };

/**
 * Every MPN and ICCID written in a message, in order of appearance, each once. A run of digits
 * (with the spaces, dashes and brackets people put in numbers) counts when it reads as an ICCID
 * (19–20 digits starting 89) or as a possible phone number; dates and amounts do not.
 */
export function identifiersIn(text: string, country: CountryCode): FoundIdentifier[] {
  const found: FoundIdentifier[] = [];
  const seen = new Set<string>();
  const add = (id: FoundIdentifier) => {
    const key = `${id.kind}:${id.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push(id);
  };
  // "ONSIM8944…" is how ONSIM writes an ICCID as a SIP username.
  const spaced = text.replace(/ONSIM(?=\d)/gi, ' ');
  for (const m of spaced.matchAll(/(?:\+|\b)\d[\d \u00a0().-]{5,26}\d\b/g)) {
    const candidate = m[0].trim();
    const digits = candidate.replace(/\D/g, '');
    if (/^89\d{17,18}$/.test(digits)) {
      const iccid = parseIccid(digits);
      if (iccid.ok) add({ kind: 'iccid', value: iccid.value });
      continue;
    }
    if (digits.length < 9 || digits.length > 15) continue;
    const mpn = parseMpn(candidate, country);
    if (mpn.ok) add({ kind: 'mpn', value: mpn.value });
  }
  return found;
}
