import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { badge, type Message } from '../../src/slack/message.js';
import { ACTION_LIST_CSV, type ListRow, type ListSpec, listMessage, paginate } from '../../src/views/list.js';
import { ACTION_PAGE, ACTION_SHARE, rerunValue } from '../../src/views/rerun.js';
import { blockKitProblems } from '../support/block-kit-limits.js';
import { buttonsIn } from '../support/blocks.js';

const spec = (over: Partial<ListSpec>): ListSpec => ({
  title: 'Subscribers',
  rows: [],
  noun: ['subscriber', 'subscribers'],
  page: 0,
  commandText: 'subscribers',
  ...over,
});

const lines = (n: number, make: (i: number) => string = (i) => `• row ${i}`): string[] =>
  Array.from({ length: n }, (_, i) => make(i));

const contextTexts = (msg: Message): string[] =>
  msg.blocks.flatMap((b) =>
    b.type === 'context'
      ? b.elements.flatMap((e) => ('text' in e && typeof e.text === 'string' ? [e.text] : []))
      : [],
  );

/** The message as the router sends it at worst: sandbox badge plus "Shared by". */
function asShared(msg: Message): Message {
  const withBadge = badge(msg, true);
  const sharedBy: KnownBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'Shared by <@UADMIN>' }],
  };
  return { text: withBadge.text, blocks: [...withBadge.blocks, sharedBy] };
}

const problems = (msg: Message) => blockKitProblems('message', asShared(msg));

/** Every row id (`#123`) shown in a message. */
const shownIds = (msg: Message): number[] =>
  [...JSON.stringify(msg.blocks).matchAll(/#(\d+)#/g)].map((m) => Number(m[1]));

describe('listMessage', () => {
  it('keeps every page of 1,000 very long rows within Slack limits, with badge and "Shared by" added, and shows each row once', () => {
    const long = (i: number) => `• #${i}# <@U${i}> ${'x'.repeat(2_500)} & more`;
    const rows = lines(1_000, long);
    const pages = paginate(rows);
    expect(pages.length).toBeGreaterThan(3);

    const seen: number[] = [];
    for (let page = 0; page < pages.length; page++) {
      const msg = listMessage(spec({ rows, page }));
      expect(problems(msg), `page ${page + 1}`).toEqual([]);
      seen.push(...shownIds(msg));
    }
    expect(seen).toEqual(rows.map((_, i) => i));
  });

  it('keeps pages of rows made of fields within limits: at most 10 fields a section, each clipped', () => {
    const rows: ListRow[] = Array.from({ length: 1_000 }, (_, i) => ({
      fields: Array.from({ length: 15 }, (_, f) => `*#${i}# field ${f}*\n${'y'.repeat(3_000)}`),
    }));
    const pages = paginate(rows);
    for (const page of [0, 1, Math.floor(pages.length / 2), pages.length - 1]) {
      const msg = listMessage(spec({ rows, page }));
      expect(problems(msg), `page ${page + 1}`).toEqual([]);
      for (const b of msg.blocks)
        if (b.type === 'section' && b.fields) expect(b.fields.length).toBeLessThanOrEqual(10);
    }
  });

  it('cuts a page short when a huge page size would break the block or text limits', () => {
    const rows = lines(1_000, (i) => `• #${i}# ${'z'.repeat(200)}`);
    const msg = listMessage(spec({ rows, pageSize: 1_000 }));
    expect(problems(msg)).toEqual([]);
    expect(shownIds(msg).length).toBeGreaterThan(10);
    expect(shownIds(msg).length).toBeLessThan(1_000);

    const small: ListRow[] = Array.from({ length: 1_000 }, (_, i) => ({ fields: [`#${i}#`, 'b'] }));
    const many = listMessage(spec({ rows: small, pageSize: 1_000 }));
    expect(problems(many)).toEqual([]);
    expect(shownIds(many).length).toBeGreaterThan(30);
  });

  it('says "Page 2 of 7 · 143 subscribers" and pages with Previous and Next re-running the command', () => {
    const rows = lines(143);
    const msg = listMessage(spec({ rows, page: 1, pageSize: 21, commandText: 'subscribers ACME_LOGISTICS' }));

    expect(contextTexts(msg)).toContain('Page 2 of 7 · 143 subscribers');
    const byText = Object.fromEntries(buttonsIn(msg).map((b) => [b.text?.text, b]));
    expect(byText['◀ Previous']).toMatchObject({
      action_id: ACTION_PAGE,
      value: rerunValue('subscribers ACME_LOGISTICS', 0),
    });
    expect(byText['Next ▶']).toMatchObject({
      action_id: ACTION_PAGE,
      value: rerunValue('subscribers ACME_LOGISTICS', 2),
    });
    expect(byText['📣 Share in channel']).toMatchObject({
      action_id: ACTION_SHARE,
      value: rerunValue('subscribers ACME_LOGISTICS', 1),
    });
    expect(byText['Download CSV']).toMatchObject({
      action_id: ACTION_LIST_CSV,
      value: 'subscribers ACME_LOGISTICS',
    });
    expect(JSON.stringify(msg.blocks)).toContain('• row 21');
    expect(JSON.stringify(msg.blocks)).not.toContain('• row 42');
    expect(msg.text).toBe('Subscribers: page 2 of 7, 143 subscribers');
  });

  it('offers no Previous on the first page, no Next on the last, and no CSV for three pages or fewer', () => {
    const rows = lines(45);
    const first = buttonsIn(listMessage(spec({ rows, page: 0 }))).map((b) => b.text?.text);
    const last = buttonsIn(listMessage(spec({ rows, page: 2 }))).map((b) => b.text?.text);
    expect(first).toEqual(['Next ▶', '📣 Share in channel']);
    expect(last).toEqual(['◀ Previous', '📣 Share in channel']);

    const four = buttonsIn(listMessage(spec({ rows: lines(46), page: 0 }))).map((b) => b.text?.text);
    expect(four).toContain('Download CSV');
  });

  it('shows the last page when asked for a page past the end (the list shrank since)', () => {
    const msg = listMessage(spec({ rows: lines(20), page: 9 }));
    expect(contextTexts(msg)).toContain('Page 2 of 2 · 20 subscribers');
    expect(JSON.stringify(msg.blocks)).toContain('• row 19');
  });

  it('says what is empty, with a Share button and no page buttons', () => {
    const msg = listMessage(spec({ rows: [], empty: 'No subscribers in *ACME*.' }));
    expect(JSON.stringify(msg.blocks)).toContain('No subscribers in *ACME*.');
    expect(contextTexts(msg)).toContain('0 subscribers');
    expect(buttonsIn(msg).map((b) => b.action_id)).toEqual([ACTION_SHARE]);
    expect(problems(msg)).toEqual([]);
  });

  it('uses the singular noun for one row and clips an over-long title to the header limit', () => {
    const msg = listMessage(spec({ rows: ['• only'], title: 'T'.repeat(400) }));
    expect(contextTexts(msg)).toContain('1 subscriber');
    expect(problems(msg)).toEqual([]);
  });
});
