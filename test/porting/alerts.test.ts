import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { Port } from '../../src/onsim/porting.js';
import {
  maskPac,
  type PortChange,
  pausedNotice,
  portChangeReply,
  portParentMessage,
  portSummaryMessage,
  resumedNotice,
  SUMMARY_MAX_LINES,
  type SummaryEntry,
} from '../../src/porting/alerts.js';
import { assertWithinBlockKitLimits } from '../support/block-kit-limits.js';

const port = (extra: Partial<Port> = {}): Port => ({
  trID: '1042',
  status: 'IN PROGRESS',
  number: '447700900001',
  portinNumber: '447700900123',
  PAC: 'ABC123456',
  type: 'PORT-IN',
  portinDate: '2025-01-10',
  updatedDate: 'Jan 2, 2025 1:20:30 PM',
  ...extra,
});

const change = (extra: Partial<PortChange> = {}): PortChange => ({
  kind: 'changed',
  portId: '1042',
  from: 'IN PROGRESS',
  to: 'COMPLETE',
  port: port({ status: 'COMPLETE' }),
  late: null,
  ...extra,
});

/** Every piece of text the blocks show, in order. */
function blockText(blocks: KnownBlock[]): string {
  const texts: string[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      for (const [key, value] of Object.entries(x)) {
        if (key === 'text' && typeof value === 'string') texts.push(value);
        else walk(value);
      }
    }
  };
  walk(blocks);
  return texts.join('\n');
}

describe('maskPac', () => {
  it('shows only the last 3 characters of a PAC', () => {
    expect(maskPac('ABC123456')).toBe('•••••456');
    expect(maskPac('AB')).toBe('•••••');
    expect(maskPac(undefined)).toBe('—');
  });
});

describe('portParentMessage', () => {
  it('shows number, type, masked PAC, port-in date and status with its emoji', () => {
    const message = portParentMessage(port());
    const text = blockText(message.blocks);
    expect(text).toContain(':hourglass_flowing_sand: IN PROGRESS');
    expect(text).toContain('+44 7700 900123');
    expect(text).toContain('PORT-IN');
    expect(text).toContain('•••••456');
    expect(text).not.toContain('ABC123456');
    expect(text).toContain('2025-01-10');
    expect(message.text).toBe('Port of +44 7700 900123 (port 1042) is IN PROGRESS');
    assertWithinBlockKitLimits('message', message);
  });

  it.each([
    ['INITIAL', ':new:'],
    ['COMPLETE', ':white_check_mark:'],
    ['CLOSED', ':file_folder:'],
  ])('shows %s with %s', (status, emoji) => {
    expect(blockText(portParentMessage(port({ status })).blocks)).toContain(`${emoji} ${status}`);
  });

  it('makes FAILED prominent with a header and a bold alarm', () => {
    const message = portParentMessage(port({ status: 'FAILED' }));
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    expect(blockText(message.blocks)).toContain(':rotating_light: *FAILED*');
    expect(message.text).toContain('🚨');
    assertWithinBlockKitLimits('message', message);
  });

  it('escapes what ONSIM sent so it cannot mention or link', () => {
    const message = portParentMessage(port({ type: '<!channel> & co', portinDate: '<https://evil|x>' }));
    const text = blockText(message.blocks);
    expect(text).toContain('&lt;!channel&gt; &amp; co');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
  });

  it('says what changed and that it was detected late when posted for a change', () => {
    const message = portParentMessage(change().port, { change: change({ late: 'offline' }) });
    const text = blockText(message.blocks);
    expect(text).toContain('IN PROGRESS → COMPLETE');
    expect(text).toContain('detected late: changed while the bot was offline');
  });

  it('says when ONSIM no longer lists the port, and what it was', () => {
    const message = portParentMessage(port({ status: 'CLOSED' }), { gone: true });
    expect(blockText(message.blocks)).toContain(':wastebasket: *No longer listed by ONSIM* (was CLOSED)');
    expect(message.text).toContain('no longer listed');
  });
});

describe('portChangeReply', () => {
  it('shows the transition old → new', () => {
    const message = portChangeReply(change());
    expect(blockText(message.blocks)).toContain(
      ':hourglass_flowing_sand: IN PROGRESS → :white_check_mark: COMPLETE',
    );
    expect(message.text).toBe('Port of +44 7700 900123: IN PROGRESS → COMPLETE');
    assertWithinBlockKitLimits('message', message);
  });

  it('marks a change detected late, in the blocks and the fallback text', () => {
    const message = portChangeReply(change({ late: 'offline' }));
    expect(blockText(message.blocks)).toContain('detected late: changed while the bot was offline');
    expect(message.text).toContain('detected late: changed while the bot was offline');
    expect(portChangeReply(change({ late: 'onsim_unreachable' })).text).toContain(
      'while ONSIM was unreachable',
    );
  });

  it('raises the alarm for a change to FAILED, in the blocks and the notification text', () => {
    const message = portChangeReply(change({ to: 'FAILED' }));
    expect(blockText(message.blocks)).toContain(':rotating_light: *FAILED*');
    expect(message.text).toBe('🚨 Port of +44 7700 900123: IN PROGRESS → FAILED');
  });
});

describe('portSummaryMessage', () => {
  const entry = (i: number, to: string): SummaryEntry => ({
    kind: 'changed',
    portId: String(2000 + i),
    number: `4477009${String(i).padStart(5, '0')}`,
    from: 'IN PROGRESS',
    to,
  });

  it('tallies the changes and lists each one, FAILED first and raising the alarm', () => {
    const entries = [entry(1, 'COMPLETE'), entry(2, 'FAILED'), entry(3, 'COMPLETE')];
    const message = portSummaryMessage(entries, null);
    expect(message.text).toBe('🚨 3 port changes: 1 FAILED, 2 COMPLETE');
    const text = blockText(message.blocks);
    expect(text).toContain('*3 port changes* — :rotating_light: *1 FAILED*, 2 COMPLETE');
    expect(text.indexOf('port 2002')).toBeLessThan(text.indexOf('port 2001'));
    expect(text).toContain('IN PROGRESS → COMPLETE');
    assertWithinBlockKitLimits('message', message);
  });

  it('raises no alarm when nothing failed, and tallies in the usual order of states', () => {
    const gone: SummaryEntry = { kind: 'gone', portId: '9', number: null, from: 'CLOSED', to: null };
    const message = portSummaryMessage([entry(1, 'CLOSED'), gone, entry(2, 'INITIAL')], null);
    expect(message.text).toBe('3 port changes: 1 INITIAL, 1 CLOSED, 1 no longer listed');
    expect(blockText(message.blocks)).not.toContain(':rotating_light:');
  });

  it('stays within Block Kit limits for a thousand changes and says how many are not listed', () => {
    const entries = Array.from({ length: 1000 }, (_, i) => entry(i, i % 10 === 0 ? 'FAILED' : 'COMPLETE'));
    const message = portSummaryMessage(entries, 'offline');
    assertWithinBlockKitLimits('message', message);
    const text = blockText(message.blocks);
    expect(text).toContain(`…and ${1000 - SUMMARY_MAX_LINES} more`);
    expect(message.text).toContain('🚨 1000 port changes: 100 FAILED, 900 COMPLETE');
    expect(message.text).toContain('detected late');
  });
});

describe('notices', () => {
  const since = Date.UTC(2025, 0, 2, 13, 20);

  it('says since when ONSIM is unreachable, in the reader’s time zone and in UTC as fallback', () => {
    const message = pausedNotice(since);
    expect(message.text).toBe('⏸️ Porting updates paused: ONSIM unreachable since 2025-01-02 13:20 UTC');
    expect(blockText(message.blocks)).toContain(`<!date^${since / 1000}^`);
    assertWithinBlockKitLimits('message', message);
  });

  it('gives the last error when there is one, escaped', () => {
    const message = pausedNotice(since, 'port list: ONSIM answered 503 <Service Unavailable>');
    expect(blockText(message.blocks)).toContain(
      'Last error: port list: ONSIM answered 503 &lt;Service Unavailable&gt;',
    );
    assertWithinBlockKitLimits('message', message);
  });

  it('says that updates resumed', () => {
    const message = resumedNotice(since, since + 600_000);
    expect(message.text).toMatch(/^▶️ Porting updates resumed/);
    expect(message.text).toContain('2025-01-02 13:30 UTC');
    assertWithinBlockKitLimits('message', message);
  });
});
