import { EXAMPLES, formatMpn, type Parsed, parseMpn } from '../onsim/identifiers.js';
import { PORT_STATES, type PortState } from '../onsim/porting.js';

import type { PortWatch } from '../store/types.js';
import { normaliseStatus, type PortEvent } from './diff.js';

/** What a channel follows: target states (empty = every change) and one number or all. */
export type WatchFilter = Pick<PortWatch, 'states' | 'number'>;

export const WATCH_EXAMPLE = `/onsim ports watch FAILED COMPLETE ${EXAMPLES.mpn}`;

const STATE_LIST = PORT_STATES.join(', ');
/** A token made only of what a written phone number holds. */
const NUMBER_TOKEN = /^[+\d()./\-\u2010-\u2015]*\d[\d()./\-\u2010-\u2015]*$/u;

const isPortState = (word: string): word is PortState => (PORT_STATES as readonly string[]).includes(word);

/**
 * Parses the arguments of `/onsim ports watch [STATE …] [number]`. States are case-insensitive and
 * `IN PROGRESS`, `IN_PROGRESS`, `in-progress` all mean IN PROGRESS, COMPLETED means COMPLETE; `ALL`
 * alone means every state.
 * The number may be written with spaces (`+44 7700 900123`) and is normalised to E.164 digits.
 */
export function parseWatchFilter(args: string): Parsed<WatchFilter> {
  const tokens = args.trim().split(/\s+/).filter(Boolean);
  const states = new Set<PortState>();
  const numberParts: string[] = [];
  let all = false;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const word = normaliseStatus(token);
    const next = normaliseStatus(tokens[i + 1] ?? '');
    if (word === 'IN' && next === 'PROGRESS') {
      states.add('IN PROGRESS');
      i++;
    } else if (word === 'INPROGRESS') {
      states.add('IN PROGRESS');
    } else if (word === 'COMPLETED') {
      states.add('COMPLETE'); // as `/onsim ports completed` reads it
    } else if (isPortState(word)) {
      states.add(word);
    } else if (word === 'ALL') {
      all = true;
    } else if (NUMBER_TOKEN.test(token)) {
      numberParts.push(token);
    } else {
      return {
        ok: false,
        error: `“${token.slice(0, 40)}” is not a port state or a phone number. Valid states: ${STATE_LIST} (or ALL). Example: ${WATCH_EXAMPLE}`,
      };
    }
  }
  if (all && states.size > 0) {
    return {
      ok: false,
      error: `ALL already means every state; leave it out or name only the states you want. Example: ${WATCH_EXAMPLE}`,
    };
  }

  let number: string | null = null;
  if (numberParts.length > 0) {
    const parsed = parseMpn(numberParts.join(' '));
    if (!parsed.ok) return parsed;
    number = parsed.value;
  }
  return { ok: true, value: { states: PORT_STATES.filter((s) => states.has(s)), number } };
}

/** Human text of a filter: "all port changes", "ports reaching FAILED or COMPLETE for +44 7700 900123". */
export function describeFilter(watch: WatchFilter): string {
  const what = watch.states.length === 0 ? 'all port changes' : `ports reaching ${joinOr(watch.states)}`;
  return watch.number === null ? what : `${what} for ${formatMpn(watch.number)}`;
}

function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/**
 * Whether a watch wants an event. A state filter looks at the NEW status: 'changed' and 'new'
 * events match when it is listed (or nothing is); 'gone' events only match watches without
 * states. A number filter matches the port's ONSIM number or the number being ported in.
 */
export function matches(watch: WatchFilter, event: PortEvent): boolean {
  return followsPort(watch, event) && wantsState(watch, event);
}

/** Whether the watch is about this event's port at all (its number filter), whatever the state. */
export function followsPort(watch: WatchFilter, event: PortEvent): boolean {
  return watch.number === null || portNumbers(event).includes(watch.number);
}

function wantsState(watch: WatchFilter, event: PortEvent): boolean {
  if (watch.states.length === 0) return true;
  if (event.kind === 'gone' || event.to === undefined) return false;
  return watch.states.includes(normaliseStatus(event.to));
}

/**
 * The channels an event concerns, from watches indexed by number (a poll may hold thousands of
 * events and hundreds of watches): true for a channel with a watch that matches it, false for
 * one that follows the port but not this state.
 */
export function channelsConcerned(watches: readonly PortWatch[]): (event: PortEvent) => Map<string, boolean> {
  const anyNumber: PortWatch[] = [];
  const byNumber = new Map<string, PortWatch[]>();
  for (const watch of watches) {
    if (watch.number === null) anyNumber.push(watch);
    else byNumber.set(watch.number, [...(byNumber.get(watch.number) ?? []), watch]);
  }
  // However a number is written (+44 7700 900123, 07700 900123, 447700900123), it ends in the
  // same digits: only a port number ending like a watched one is worth reading (libphonenumber
  // takes about 0.1 ms a number, thousands of events a poll).
  const endings = new Set([...byNumber.keys()].map(ending));
  const lengths = new Set([...endings].map((e) => e.length));
  return (event) => {
    const channels = new Map<string, boolean>();
    const consider = (watch: PortWatch) =>
      channels.set(watch.channelId, channels.get(watch.channelId) === true || wantsState(watch, event));
    anyNumber.forEach(consider);
    if (endings.size > 0) {
      for (const number of portNumbers(event, endings, lengths)) byNumber.get(number)?.forEach(consider);
    }
    return channels;
  };
}

/**
 * The last digits of a watched number (E.164 digits), as a cheap first test of equality: at most
 * 6, and never more than its national part (the country code has at most 3 digits), which every
 * way of writing the number ends with.
 */
const ending = (e164: string): string => e164.slice(-Math.max(1, Math.min(6, e164.length - 3)));

/** Parsed once per port object: a poll may test thousands of events against many watches. */
const numbersOfPort = new WeakMap<object, string[]>();

/**
 * The port's numbers as E.164 digits (ONSIM writes them bare, e.g. 447700900123); with `endings`,
 * none unless one ends like a watched number (the others cannot match a watch).
 */
function portNumbers(
  event: PortEvent,
  endings?: ReadonlySet<string>,
  lengths?: ReadonlySet<number>,
): string[] {
  if (endings === undefined || lengths === undefined) return allPortNumbers(event);
  const endsLikeWatched = (raw: string | undefined) => {
    if (!raw) return false;
    const digits = raw.replace(/\D/g, '');
    for (const length of lengths) if (endings.has(digits.slice(-length))) return true;
    return false;
  };
  const { number, portinNumber } = event.port;
  return endsLikeWatched(number) || endsLikeWatched(portinNumber) ? allPortNumbers(event) : [];
}

function allPortNumbers(event: PortEvent): string[] {
  const cached = numbersOfPort.get(event.port);
  if (cached) return cached;
  const numbers: string[] = [];
  for (const raw of [event.port.number, event.port.portinNumber]) {
    if (!raw) continue;
    const parsed = parseMpn(raw);
    if (parsed.ok) numbers.push(parsed.value);
  }
  numbersOfPort.set(event.port, numbers);
  return numbers;
}
