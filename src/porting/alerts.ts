// Block Kit for porting alerts: pure functions from data to messages. Everything ONSIM sent is
// escaped for mrkdwn before it is shown.
import type { KnownBlock } from '@slack/types';
import { formatMpn } from '../onsim/identifiers.js';
import type { Port } from '../onsim/porting.js';
import { context, field, header, section } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { clip, esc } from '../slack/text.js';
import type { PortEventKind } from './diff.js';

/** Why a change was noticed after the fact: the bot was down, or ONSIM could not be reached. */
export type LateReason = 'offline' | 'onsim_unreachable';

/** A port event as an alert shows it. */
export interface PortChange {
  kind: PortEventKind;
  portId: string;
  from: string | null;
  to: string | null;
  port: Port;
  late: LateReason | null;
}

/** One line of a summary message. */
export interface SummaryEntry {
  kind: PortEventKind;
  portId: string;
  /** The number the port brings in (or ONSIM's MPN), E.164 digits as ONSIM writes them. */
  number: string | null;
  from: string | null;
  to: string | null;
}

const STATUS_EMOJI: Record<string, string> = {
  INITIAL: ':new:',
  'IN PROGRESS': ':hourglass_flowing_sand:',
  COMPLETE: ':white_check_mark:',
  FAILED: ':rotating_light:',
  CLOSED: ':file_folder:',
};
const UNKNOWN_EMOJI = ':grey_question:';
const GONE = 'no longer listed';
/** A summary's tally: FAILED first, then the states in their usual order. */
const TALLY_ORDER = ['FAILED', 'INITIAL', 'IN PROGRESS', 'COMPLETE', 'CLOSED'];
/** Lines a summary lists before "…and N more" (keeps it under Slack's block text limits). */
export const SUMMARY_MAX_LINES = 30;
const LATE_TEXT: Record<LateReason, string> = {
  offline: 'detected late: changed while the bot was offline',
  onsim_unreachable: 'detected late: changed while ONSIM was unreachable',
};

export const statusEmoji = (status: string | null): string =>
  (status && STATUS_EMOJI[status.toUpperCase()]) || UNKNOWN_EMOJI;

/** `:white_check_mark: COMPLETE`, escaped, for mrkdwn; FAILED in bold. */
function statusLabel(status: string | null): string {
  if (status === null) return `${UNKNOWN_EMOJI} unknown`;
  const text = esc(status);
  return `${statusEmoji(status)} ${status.toUpperCase() === 'FAILED' ? `*${text}*` : text}`;
}

/** A PAC shown by its last 3 characters only: '•••••123'. */
export function maskPac(pac: string | undefined): string {
  if (!pac) return '—';
  const text = pac.trim();
  return `•••••${text.length > 3 ? text.slice(-3) : ''}`;
}

/** The number a port is about: the one being ported in, else ONSIM's MPN. */
const portNumber = (port: Pick<Port, 'number' | 'portinNumber'>): string | undefined =>
  port.portinNumber || port.number || undefined;

const shownNumber = (digits: string | null | undefined): string =>
  digits ? formatMpn(digits) : 'unknown number';

/** What happened, in words: "IN PROGRESS → COMPLETE", "new port (INITIAL)", "no longer listed". */
function transition(
  change: Pick<SummaryEntry, 'kind' | 'from' | 'to'>,
  label: (status: string) => string = esc,
): string {
  switch (change.kind) {
    case 'new':
      return `new port (${label(change.to ?? 'unknown')})`;
    case 'changed':
      return `${label(change.from ?? 'unknown')} → ${label(change.to ?? 'unknown')}`;
    case 'gone':
      return `${label(change.from ?? 'unknown')} → no longer listed by ONSIM`;
  }
}

/**
 * The parent message of a port's thread, showing its current state. `change` (when the parent
 * is first posted for a change rather than a new port) adds what changed; `gone` says ONSIM no
 * longer lists the port.
 */
export function portParentMessage(port: Port, opts: { change?: PortChange; gone?: boolean } = {}): Message {
  const status = opts.gone ? (opts.change?.from ?? port.status) : port.status;
  const failed = status.toUpperCase() === 'FAILED' && !opts.gone;
  const number = shownNumber(portNumber(port));
  const blocks: KnownBlock[] = [];
  if (failed) {
    blocks.push(header(`:rotating_light: Port failed: ${number}`));
  }
  const headline = failed
    ? `:rotating_light: *FAILED* · port of *${esc(number)}*`
    : opts.gone
      ? `:wastebasket: *No longer listed by ONSIM* (was ${esc(status)}) · port of *${esc(number)}*`
      : `${statusLabel(status)} · port of *${esc(number)}*`;
  blocks.push(section(headline));

  const labelled = (label: string, value: string | undefined) =>
    field(`*${label}*\n${value ? esc(value) : '—'}`);
  blocks.push({
    type: 'section',
    fields: [
      labelled('Number ported in', port.portinNumber ? formatMpn(port.portinNumber) : undefined),
      labelled('ONSIM MPN', port.number ? formatMpn(port.number) : undefined),
      labelled('Type', port.type),
      labelled('PAC', maskPac(port.PAC)),
      labelled('Port-in date', port.portinDate),
      labelled('Port id', port.trID),
    ],
  });

  const notes: string[] = [];
  if (opts.change && opts.change.kind !== 'new') notes.push(`Changed: ${transition(opts.change)}`);
  if (opts.change?.late) notes.push(`:warning: ${LATE_TEXT[opts.change.late]}`);
  if (port.updatedDate) notes.push(`Updated by ONSIM ${esc(port.updatedDate)}`);
  if (notes.length > 0) blocks.push(context(notes.join(' · ')));

  const subject = `${failed ? '🚨 ' : ''}Port of ${number} (port ${port.trID})`;
  const state = opts.gone
    ? ` is no longer listed by ONSIM; it was ${status}`
    : opts.change?.kind === 'changed'
      ? `: ${transition(opts.change, String)}`
      : ` is ${status}`;
  const late = opts.change?.late ? ` (${LATE_TEXT[opts.change.late]})` : '';
  return { text: esc(`${subject}${state}${late}`), blocks };
}

/** The thread reply for a change of a port that already has a parent message. */
export function portChangeReply(change: PortChange): Message {
  const failed = change.kind === 'changed' && change.to?.toUpperCase() === 'FAILED';
  const what = transition(change, statusLabel);
  const blocks: KnownBlock[] = [section(failed ? `:rotating_light: ${what}` : what)];
  const notes: string[] = [];
  if (change.late) notes.push(`:warning: ${LATE_TEXT[change.late]}`);
  if (change.port.updatedDate) notes.push(`Updated by ONSIM ${esc(change.port.updatedDate)}`);
  if (notes.length > 0) blocks.push(context(notes.join(' · ')));
  const late = change.late ? ` (${LATE_TEXT[change.late]})` : '';
  const text = `${failed ? '🚨 ' : ''}Port of ${shownNumber(portNumber(change.port))}: ${transition(change, String)}${late}`;
  return { text: esc(text), blocks };
}

/** Summary entries with FAILED first: the ones someone has to act on. */
function failedFirst(entries: readonly SummaryEntry[]): SummaryEntry[] {
  const isFailed = (e: SummaryEntry) => e.kind !== 'gone' && e.to?.toUpperCase() === 'FAILED';
  return [...entries.filter(isFailed), ...entries.filter((e) => !isFailed(e))];
}

/**
 * One message for many changes in one channel at once (more than Slack's pace allows to post
 * one by one): a tally by new status, then up to SUMMARY_MAX_LINES changes, FAILED first.
 */
export function portSummaryMessage(entries: readonly SummaryEntry[], late: LateReason | null): Message {
  const total = entries.length;
  const counts = new Map<string, number>(TALLY_ORDER.map((status) => [status, 0]));
  for (const e of entries) {
    const key = e.kind === 'gone' ? GONE : (e.to ?? 'unknown').toUpperCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const tallied = [...counts].filter(([, n]) => n > 0);
  const failed = counts.get('FAILED') ?? 0;
  const tally = tallied.map(([status, n]) => `${n} ${status}`).join(', ');
  const shownTally = tallied
    .map(([status, n]) => (status === 'FAILED' ? `:rotating_light: *${n} FAILED*` : esc(`${n} ${status}`)))
    .join(', ');
  const title = `${total} port changes`;

  const lines = failedFirst(entries)
    .slice(0, SUMMARY_MAX_LINES)
    .map((e) => {
      const emoji = e.kind === 'gone' ? ':wastebasket:' : statusEmoji(e.to);
      return `• ${emoji} *${esc(shownNumber(e.number))}* (port ${esc(e.portId)}): ${transition(e)}`;
    });
  const blocks: KnownBlock[] = [section(`:clipboard: *${title}*${tally ? ` — ${shownTally}` : ''}`)];
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length > 0) blocks.push(section(chunk.join('\n')));
    chunk = [];
  };
  for (const line of lines) {
    const clipped = clip(line, 500);
    if ([...chunk, clipped].join('\n').length > 2900) flush();
    chunk.push(clipped);
  }
  flush();
  const notes: string[] = [];
  const more = total - lines.length;
  if (more > 0) notes.push(`…and ${more} more`);
  notes.push(
    'Grouped because they arrived together: no thread replies, but earlier alerts of these ports here are updated to their new status.',
  );
  if (late) notes.push(`:warning: ${LATE_TEXT[late]}`);
  blocks.push(context(notes.join(' · ')));
  const alarm = failed > 0 ? '🚨 ' : '';
  return {
    text: esc(`${alarm}${title}${tally ? `: ${tally}` : ''}${late ? ` (${LATE_TEXT[late]})` : ''}`),
    blocks,
  };
}

/** `<!date^…>` shows the time in each reader's time zone; the fallback is UTC. */
function slackTime(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${utc(ms)}>`;
}

const utc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Posted once per watching channel when ONSIM stops answering; `reason` is the error, in words. */
export function pausedNotice(sinceMs: number, reason?: string): Message {
  const notes = ['Changes made meanwhile are posted once ONSIM answers again.'];
  if (reason) notes.push(`Last error: ${esc(clip(reason, 300))}`);
  return {
    text: `⏸️ Porting updates paused: ONSIM unreachable since ${utc(sinceMs)}`,
    blocks: [
      section(
        `:double_vertical_bar: *Porting updates paused:* ONSIM unreachable since ${slackTime(sinceMs)}`,
      ),
      context(notes.join(' · ')),
    ],
  };
}

/** Posted once per watching channel when ONSIM answers again after a pause. */
export function resumedNotice(sinceMs: number, untilMs: number): Message {
  return {
    text: `▶️ Porting updates resumed (ONSIM was unreachable from ${utc(sinceMs)} to ${utc(untilMs)})`,
    blocks: [
      section(':arrow_forward: *Porting updates resumed*'),
      context(`ONSIM was unreachable from ${slackTime(sinceMs)} to ${slackTime(untilMs)}.`),
    ],
  };
}
