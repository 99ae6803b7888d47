import type { KnownBlock } from '@slack/types';
import { button, context, header, section } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { clip, esc } from '../slack/text.js';
import type { AuditEntry } from '../store/types.js';

export const AUDIT_PAGE_SIZE = 20;

/**
 * An entry's target as code (` `+447700900123``), or nothing when the target is the channel the
 * entry already names ("in #ops", as for a ports watch): a raw channel id means nothing to a reader.
 */
export function auditTarget(e: Pick<AuditEntry, 'target' | 'channelId'>, max = 200): string {
  if (!e.target || e.target === e.channelId) return '';
  return ` \`${esc(clip(e.target, max))}\``;
}
/** One entry's line at most; a page is at most AUDIT_PAGE_SIZE of them (well inside Slack's limits). */
const LINE_MAX = 400;
const SECTION_MAX = 3000;

export interface AuditPage {
  /** Already rendered (auditLine), newest first: this page's entries only. */
  lines: string[];
  /** How many entries were fetched in all (≤ the n asked for). */
  total: number;
  page: number;
  /** The target filtered on, as shown to people ("+44 7700 900123"), if any. */
  targetLabel: string | null;
  /** Notes such as "100 is the most shown". */
  notes: string[];
  /** Button values of the previous and next pages (null: no such page). */
  prevValue: string | null;
  nextValue: string | null;
  pageActionId: string;
}

/** Packs lines into sections of at most 3000 characters each. */
function sections(lines: string[]): KnownBlock[] {
  const out: KnownBlock[] = [];
  let current = '';
  for (const raw of lines) {
    const line = clip(raw, LINE_MAX);
    if (current && current.length + 1 + line.length > SECTION_MAX) {
      out.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(section(current));
  return out;
}

export function auditMessage(p: AuditPage): Message {
  const about = p.targetLabel ? ` for ${esc(p.targetLabel)}` : '';
  if (p.total === 0) {
    const text = `📒 No audit entries${about} yet.`;
    return { text, blocks: [section(text)] };
  }
  const first = p.page * AUDIT_PAGE_SIZE + 1;
  const last = first + p.lines.length - 1;
  // Both buttons re-run the command through the router's page action; an action_id must be
  // unique within its block, so each sits in its own.
  const pager = (blockId: string, label: string, value: string): KnownBlock => ({
    type: 'actions',
    block_id: blockId,
    elements: [button(label, p.pageActionId, value)],
  });
  const blocks: KnownBlock[] = [
    header(`Audit trail${p.targetLabel ? ` — ${p.targetLabel}` : ''}`),
    context(
      [`Newest first · entries ${first}–${last} of the latest ${p.total}${about}`, ...p.notes].join(' · '),
    ),
    ...sections(p.lines),
  ];
  if (p.prevValue) blocks.push(pager('audit_newer', '◀ Newer', p.prevValue));
  if (p.nextValue) blocks.push(pager('audit_older', 'Older ▶', p.nextValue));
  return {
    text: `Audit trail${p.targetLabel ? ` for ${p.targetLabel}` : ''}: entries ${first}–${last} of ${p.total}`,
    blocks,
  };
}
