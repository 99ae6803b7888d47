/**
 * The one place where identifiers typed by people (slash commands, modal fields) or returned by ONSIM
 * are normalised and checked. Every parser returns either the value in the form the ONSIM API expects
 * or a plain-text error that says what was wrong, what is expected, and gives a valid example.
 * Messages are plain text: the Slack layer escapes them.
 */
import type { CountryCode, ValidatePhoneNumberLengthResult } from 'libphonenumber-js';
import { Metadata, parsePhoneNumberFromString, validatePhoneNumberLength } from 'libphonenumber-js';
import { z } from 'zod';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export type SubscriberRef = { kind: 'mpn' | 'iccid' | 'esim_code' | 'i_account'; value: string };
type Kind = SubscriberRef['kind'];

/** Valid examples shown in messages and help texts. The ICCIDs carry a correct Luhn check digit. */
export const EXAMPLES = {
  mpn: '+44 7700 900123',
  mpnNational: '07700 900123',
  /** Printed 20-digit form: 19 digits + Luhn check digit 4. */
  iccid: '8944 1234 5678 9012 3454',
  /** The same SIM in the 19-digit form ONSIM uses. */
  iccid19: '8944123456789012345',
  esimCode: 'LPA:1$smdp.example.com$MATCHINGID',
  groupName: 'acme-sales_01',
  iAccount: 'acct:123456',
} as const;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

const MAX_ECHO = 40;

/** Masks an eSIM activation code for display: its first 10 characters then '…' (fewer if it is short). */
export function maskEsimCode(code: string): string {
  const text = code.trim();
  return `${text.slice(0, text.length > 10 ? 10 : 5)}…`;
}

/** Quotes user input for an error message: one line, truncated, and masked if it may hold an eSIM code. */
function quote(input: string): string {
  const text = input.trim().replace(/\s+/g, ' ');
  if (/lpa:|\$/i.test(text)) return `“${maskEsimCode(text)}”`;
  return `“${text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text}”`;
}

function joinList(items: readonly string[], conjunction: 'and' | 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---------------------------------------------------------------------------------------------------------
// Luhn

/** The Luhn check digit for a string of digits (for an ICCID: its 19 leading digits). */
export function luhnCheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new TypeError('luhnCheckDigit expects a non-empty string of digits');
  let sum = 0;
  let double = true; // the rightmost payload digit is doubled
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

// ---------------------------------------------------------------------------------------------------------
// MPN

const E164_MIN_DIGITS = 8;
const E164_MAX_DIGITS = 15;
/** Characters a written phone number may contain besides digits and a leading '+'. */
const PHONE_FORMATTING = /[\s\-\u2010-\u2015()./]/gu;

function mpnHelp(defaultCountry: CountryCode): string {
  return defaultCountry === 'GB'
    ? `Type it in international form, e.g. ${EXAMPLES.mpn}, or national form, e.g. ${EXAMPLES.mpnNational}.`
    : `Type it in international form with the country code, e.g. ${EXAMPLES.mpn}.`;
}

type Reading = { number: string; valid: boolean } | { reason: ValidatePhoneNumberLengthResult };

/** The country's national trunk prefix ('0' for GB), when it has one. */
function trunkPrefix(country: CountryCode): string | undefined {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(country);
  // The typings omit nationalPrefix(), which the runtime has: narrow instead of casting.
  const plan: unknown = metadata.numberingPlan;
  if (
    plan &&
    typeof plan === 'object' &&
    'nationalPrefix' in plan &&
    typeof plan.nationalPrefix === 'function'
  ) {
    const prefix: unknown = plan.nationalPrefix();
    return typeof prefix === 'string' && prefix !== '' ? prefix : undefined;
  }
  return undefined;
}

/** Reads `text` with libphonenumber: E.164 digits if it is a possible number, else why not. */
function readPhoneNumber(text: string, defaultCountry: CountryCode): Reading {
  const phone = parsePhoneNumberFromString(text, defaultCountry);
  // libphonenumber keeps a trunk 0 it cannot strip (the rest would be too short): '07700 9001'
  // must not become +44 077009001.
  if (phone && /^\s*0/.test(text) && phone.nationalNumber.startsWith(trunkPrefix(defaultCountry) ?? '#')) {
    return { reason: 'TOO_SHORT' };
  }
  if (phone?.isPossible()) {
    const digits = phone.number.slice(1);
    if (digits.length < E164_MIN_DIGITS) return { reason: 'TOO_SHORT' };
    if (digits.length > E164_MAX_DIGITS) return { reason: 'TOO_LONG' };
    return { number: digits, valid: phone.isValid() };
  }
  return { reason: validatePhoneNumberLength(text, defaultCountry) ?? 'INVALID_LENGTH' };
}

/** How every MPN is shown to people: `447700900123` → `+44 7700 900123` (else `+digits`). */
export function formatMpn(mpn: string | undefined): string {
  if (!mpn) return '—';
  return parsePhoneNumberFromString(`+${mpn}`)?.formatInternational() ?? `+${mpn}`;
}

/**
 * Normalises a phone number to E.164 digits without '+' (the MPN form ONSIM uses), e.g. '447700900123'.
 * International forms ('+44…', '0044…', or ONSIM's bare '44…') and national forms of `defaultCountry`
 * ('07700 900123') are accepted. Only the length is checked (libphonenumber's isPossible), not whether the
 * number range is allocated, so test and drama numbers pass. Bare digits without a leading 0 are tried both
 * as international and as national; if both readings are possible and differ, the one libphonenumber calls
 * valid wins, and if neither or both are valid the user is asked to type the + and country code.
 */
export function parseMpn(input: string, defaultCountry: CountryCode = 'GB'): Parsed<string> {
  const text = input.trim();
  const help = mpnHelp(defaultCountry);
  if (text === '') return fail(`The phone number is empty. ${help}`);

  const letter = /\p{L}/u.exec(text);
  if (letter) {
    return fail(`${quote(text)} contains the letter “${letter[0]}”; a phone number has only digits. ${help}`);
  }
  const stray = /[^\d+]/u.exec(text.replace(PHONE_FORMATTING, ''));
  if (stray) {
    return fail(
      `${quote(text)} contains “${stray[0]}”; a phone number has only digits, spaces, dashes and brackets. ${help}`,
    );
  }
  if (text.lastIndexOf('+') > 0) {
    return fail(
      `${quote(text)} has a “+” that is not at the start; the + goes before the country code. ${help}`,
    );
  }
  const digitCount = text.replace(/\D/g, '').length;
  if (digitCount === 0) return fail(`${quote(text)} has no digits. ${help}`);

  // Which readings to try: '+…' and '00…' are international; '0…' is national; other bare digits may be
  // either (ONSIM writes '447700900123'; someone abroad may type a national number without a trunk 0).
  const bare = text.replace(/^0\s*0(?=\s*\d)/, '+');
  const readings =
    bare.startsWith('+') || bare.startsWith('0')
      ? [readPhoneNumber(bare, defaultCountry)]
      : [readPhoneNumber(`+${bare}`, defaultCountry), readPhoneNumber(bare, defaultCountry)];

  const possible = readings.filter((r) => 'number' in r);
  const distinct = [...new Set(possible.map((r) => r.number))];
  const [first, second] = distinct;
  if (first !== undefined && second === undefined) return ok(first);
  if (first !== undefined && second !== undefined) {
    const valid = possible.filter((r) => r.valid);
    if (valid.length === 1 && valid[0]) return ok(valid[0].number);
    return fail(
      `${quote(text)} could be ${formatMpn(first)} or ${formatMpn(second)}. Type it with a + and the country code, e.g. ${EXAMPLES.mpn}.`,
    );
  }

  const reasons = new Set(readings.map((r) => ('reason' in r ? r.reason : 'INVALID_LENGTH')));
  if (reasons.has('TOO_SHORT') && !reasons.has('TOO_LONG')) {
    return fail(`${quote(text)} is too short for a phone number. ${help}`);
  }
  if (reasons.has('TOO_LONG') && !reasons.has('TOO_SHORT')) {
    return fail(`${quote(text)} is too long for a phone number. ${help}`);
  }
  if (reasons.size === 1 && reasons.has('INVALID_COUNTRY')) {
    return fail(`${quote(text)} does not start with a known country code. ${help}`);
  }
  return fail(
    `${quote(text)} has ${plural(digitCount, 'digit')}, which is not a possible phone number. ${help}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// ICCID

const ICCID_SEPARATORS = /[\s\-\u2010-\u2015]/gu;
const ICCID_HELP = `Type the 20 digits printed on the SIM, e.g. ${EXAMPLES.iccid}, or the 19 digits ONSIM shows, e.g. ${EXAMPLES.iccid19}.`;

/**
 * Normalises an ICCID to the 19 digits ONSIM uses. The printed 20-digit form has its Luhn check digit
 * verified and removed; 19 digits are taken as they are; ONSIM's 'ONSIM' prefix is stripped.
 */
export function parseIccid(input: string): Parsed<string> {
  const text = input.trim();
  if (text === '') return fail(`The ICCID is empty. ${ICCID_HELP}`);

  const digits = text.replace(ICCID_SEPARATORS, '').replace(/^onsim/i, '');
  const stray = /\D/.exec(digits);
  if (stray) {
    return fail(
      `${quote(text)} contains “${stray[0]}”; an ICCID has only digits (spaces and dashes are fine). ${ICCID_HELP}`,
    );
  }
  if (digits.length !== 19 && digits.length !== 20) {
    return fail(`${quote(text)} has ${plural(digits.length, 'digit')}; an ICCID has 19 or 20. ${ICCID_HELP}`);
  }
  if (!digits.startsWith('89')) {
    return fail(`${quote(text)} does not start with 89, as every SIM's ICCID does. ${ICCID_HELP}`);
  }
  if (digits.length === 20) {
    const expected = luhnCheckDigit(digits.slice(0, 19));
    const typed = digits.slice(19);
    if (String(expected) !== typed) {
      return fail(
        `The check digit of ${quote(text)} does not match: for these digits the last digit should be ${expected}, not ${typed}, so one digit is probably mistyped. ${ICCID_HELP}`,
      );
    }
  }
  return ok(digits.slice(0, 19));
}

// ---------------------------------------------------------------------------------------------------------
// eSIM activation code

/** GSMA SGP.22 activation code: LPA:1$<SM-DP+ address>$<matching id>[$<OID>[$<flag>]]. */
const ESIM_CODE = /^LPA:1\$[^$\s]+\$[^\s]*$/;
const ESIM_HELP = `An activation code looks like ${EXAMPLES.esimCode}.`;

/** Checks an eSIM activation code (trimmed; the 'LPA:' prefix is upper-cased). Errors never show the code. */
export function parseEsimCode(input: string): Parsed<string> {
  const code = input.trim().replace(/^lpa:/i, 'LPA:');
  if (code === '') return fail(`The eSIM activation code is empty. ${ESIM_HELP}`);
  const shown = `“${maskEsimCode(code)}”`;
  if (!code.startsWith('LPA:1'))
    return fail(`${shown} is not an eSIM activation code: it must start with LPA:1. ${ESIM_HELP}`);
  if (/\s/.test(code))
    return fail(`${shown} contains a space; an eSIM activation code has none. ${ESIM_HELP}`);
  if (!ESIM_CODE.test(code)) {
    return fail(
      `${shown} is not a complete eSIM activation code: after LPA:1 come $, the SM-DP+ address, $ and the matching ID. ${ESIM_HELP}`,
    );
  }
  return ok(code);
}

// ---------------------------------------------------------------------------------------------------------
// Group name

const GROUP_RULE =
  'A group name is 3 to 45 characters of letters (a-z, A-Z), digits, _ or -, starts with a letter or digit and has at least one letter';

/** Checks a group name against ONSIM's rule; every rule that fails is named in the message. */
export function parseGroupName(input: string): Parsed<string> {
  const name = input.trim();
  if (name === '') return fail(`The group name is empty. ${GROUP_RULE}, e.g. ${EXAMPLES.groupName}.`);

  const problems: string[] = [];
  if (/\s/.test(name)) problems.push('contains a space');
  const others = [...new Set(name.replace(/[\sA-Za-z0-9_-]/g, ''))];
  if (others.length > 0)
    problems.push(
      `contains ${joinList(
        others.map((c) => `“${c}”`),
        'and',
      )}`,
    );
  const first = [...name][0] ?? '';
  if (!/^[A-Za-z0-9]$/.test(first)) problems.push(`starts with “${first}”`);
  const length = [...name].length;
  if (length < 3) problems.push(`has only ${plural(length, 'character')}`);
  if (length > 45) problems.push(`has ${length} characters`);
  if (!/[A-Za-z]/.test(name)) problems.push('has no letter');

  if (problems.length > 0) {
    return fail(
      `${quote(name)} is not a valid group name: it ${joinList(problems, 'and')}. ${GROUP_RULE}, e.g. ${EXAMPLES.groupName}.`,
    );
  }
  return ok(name);
}

// ---------------------------------------------------------------------------------------------------------
// i_account

const I_ACCOUNT_PREFIX = /^(?:acct|i_account)\s*:\s*/i;
const I_ACCOUNT_HELP = 'An account id (i_account) is 1 to 12 digits, e.g. 123456.';

/** Checks a numeric account id (i_account), optionally written 'acct:123' or 'i_account:123'. */
export function parseIAccount(input: string): Parsed<string> {
  const text = input.trim();
  const id = text.replace(I_ACCOUNT_PREFIX, '');
  if (id === '') return fail(`The account id is empty. ${I_ACCOUNT_HELP}`);
  if (!/^\d+$/.test(id))
    return fail(`${quote(text)} is not an account id: it must be digits only. ${I_ACCOUNT_HELP}`);
  if (id.length > 12)
    return fail(`${quote(text)} has ${id.length} digits, too many for an account id. ${I_ACCOUNT_HELP}`);
  return ok(id);
}

// ---------------------------------------------------------------------------------------------------------
// Recognising which identifier was typed

const KINDS: Record<Kind, { name: string; lookslike: string; example: string }> = {
  mpn: { name: 'a phone number (MPN)', lookslike: 'a phone number (MPN)', example: EXAMPLES.mpn },
  iccid: { name: 'an ICCID', lookslike: 'an ICCID (SIM number)', example: EXAMPLES.iccid },
  esim_code: {
    name: 'an eSIM activation code',
    lookslike: 'an eSIM activation code',
    example: EXAMPLES.esimCode,
  },
  i_account: { name: 'an account id', lookslike: 'an account id (i_account)', example: EXAMPLES.iAccount },
};

function kindOf(text: string, accept: ReadonlyArray<Kind>): Kind {
  if (/^lpa:/i.test(text)) return 'esim_code';
  if (I_ACCOUNT_PREFIX.test(text)) return 'i_account';
  const compact = text.replace(ICCID_SEPARATORS, '');
  if (/^onsim/i.test(compact)) return 'iccid';
  // 16+ digits cannot be a phone number (E.164 has at most 15), unless dialled with 00.
  if (/^\d{16,}$/.test(compact) && !compact.startsWith('00')) return 'iccid';
  if (!accept.includes('mpn') && /^\d{1,7}$/.test(text)) return 'i_account';
  return 'mpn';
}

function parseKind(kind: Kind, text: string, defaultCountry: CountryCode): Parsed<string> {
  switch (kind) {
    case 'mpn':
      return parseMpn(text, defaultCountry);
    case 'iccid':
      return parseIccid(text);
    case 'esim_code':
      return parseEsimCode(text);
    case 'i_account':
      return parseIAccount(text);
  }
}

/**
 * Works out which kind of subscriber identifier was typed, by its shape, and parses it:
 * 'LPA:…' is an eSIM code; 'acct:123' / 'i_account:123' an account id; 19–20 digits starting 89 (spaces,
 * dashes and an 'ONSIM' prefix allowed) an ICCID; when MPNs are not accepted, a bare number of up to
 * 7 digits is an account id; anything else is read as an MPN.
 */
export function recogniseIdentifier(
  input: string,
  accept: ReadonlyArray<Kind>,
  defaultCountry: CountryCode = 'GB',
): Parsed<SubscriberRef> {
  const text = input.trim();
  const accepted = accept.map((k) => KINDS[k]);
  const takes = `This command takes ${joinList(
    accepted.map((k) => k.name),
    'or',
  )}, e.g. ${joinList(
    accepted.map((k) => k.example),
    'or',
  )}`;
  if (text === '') return fail(`Nothing was typed. ${takes}.`);

  const kind = kindOf(text, accept);
  if (!accept.includes(kind)) {
    const phoneShaped = /^[\d\s+\-\u2010-\u2015()./]+$/u.test(text);
    const what =
      kind === 'mpn' && !phoneShaped ? 'is not one of these' : `looks like ${KINDS[kind].lookslike}`;
    return fail(`${takes}; ${quote(text)} ${what}.`);
  }
  const parsed = parseKind(kind, text, defaultCountry);
  return parsed.ok ? ok({ kind, value: parsed.value }) : parsed;
}

// ---------------------------------------------------------------------------------------------------------
// zod schemas with the same rules and messages

function schemaFrom(parse: (input: string) => Parsed<string>) {
  return z.string().transform((input, ctx) => {
    const parsed = parse(input);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.value;
  });
}

/** An MPN schema that reads national numbers as `defaultCountry`'s. */
export const mpnSchemaFor = (defaultCountry: CountryCode) => schemaFrom((s) => parseMpn(s, defaultCountry));
export const MpnSchema = mpnSchemaFor('GB');
export const IccidSchema = schemaFrom(parseIccid);
export const EsimCodeSchema = schemaFrom(parseEsimCode);
export const GroupNameSchema = schemaFrom(parseGroupName);
export const IAccountSchema = schemaFrom(parseIAccount);
