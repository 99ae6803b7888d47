import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { type Account, Account as AccountSchema } from '../../src/onsim/account.js';
import {
  accountCard,
  formatMegabytes,
  formatOnsimDate,
  formatPeriod,
  usageBar,
} from '../../src/views/account.js';
import {
  ACTION_ACCOUNT_BUNDLE,
  ACTION_ACCOUNT_CEASE,
  ACTION_ACCOUNT_QR,
  ACTION_ACCOUNT_RECORDING,
  ACTION_ACCOUNT_SETTINGS,
} from '../../src/views/action-ids.js';
import { blockKitProblems } from '../support/block-kit-limits.js';

/** An account as ONSIM documents it, parsed by the client's own schema. */
function anAccount(overrides: Record<string, unknown> = {}): Account {
  return AccountSchema.parse({
    sim: '8944000000000123456',
    i_account: '123456',
    mpn: '447700900123',
    sip_address: 'ONSIM8944000000000123456@sip.example',
    services: { mobile_data: 'ON', mobile_hotspot: 'OFF', mobile_messaging: 'ON', mobile_voice: 'ON' },
    bundles: {
      data: {
        bundle_name: '10GB',
        allowance: 10240,
        used: 3174,
        remaining: 7066,
        unit: 'megabyte',
        period_from: '2024-01-01 00:00:00',
        period_to: '2024-02-01 00:00:00',
      },
    },
    ...overrides,
  });
}

/** Every mrkdwn and plain text of the blocks, one string, for "the card says …" checks. */
function allText(blocks: KnownBlock[]): string {
  return JSON.stringify(blocks);
}

function buttonIds(blocks: KnownBlock[]): string[] {
  return blocks.flatMap((b) =>
    b.type === 'actions'
      ? b.elements.flatMap((e) => ('action_id' in e && e.action_id ? [e.action_id] : []))
      : [],
  );
}

describe('data amounts', () => {
  it('shows megabytes below 1 GB and gigabytes (1024 MB) above, without needless decimals', () => {
    expect(formatMegabytes(628)).toBe('628 MB');
    expect(formatMegabytes(9612)).toBe('9.4 GB');
    expect(formatMegabytes(10240)).toBe('10 GB');
    expect(formatMegabytes(512000)).toBe('500 GB');
  });

  it('draws a ten-cell bar with the percentage used', () => {
    expect(usageBar(3174, 10240)).toBe('▰▰▰▱▱▱▱▱▱▱ 30%');
    expect(usageBar(0, 10240)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    // 99.9% is not "100%": that would read as used up.
    expect(usageBar(10230, 10240)).toBe('▰▰▰▰▰▰▰▰▰▰ 99%');
    expect(usageBar(12288, 10240)).toBe('▰▰▰▰▰▰▰▰▰▰ 120%');
  });
});

describe('ONSIM dates', () => {
  it('reads ONSIM non-ISO timestamps as day, month and year, with the time only when it is not midnight', () => {
    expect(formatOnsimDate('2024-01-01 00:00:00')).toBe('1 Jan 2024');
    expect(formatOnsimDate('2024-03-15 14:30:00')).toBe('15 Mar 2024 14:30');
    expect(formatOnsimDate('next Tuesday')).toBe('next Tuesday');
  });

  it('shows a period within one year with the year once', () => {
    expect(formatPeriod('2026-11-01 00:00:00', '2026-12-01 00:00:00')).toBe('1 Nov – 1 Dec 2026');
    expect(formatPeriod('2025-12-15 00:00:00', '2026-01-15 00:00:00')).toBe('15 Dec 2025 – 15 Jan 2026');
    expect(formatPeriod(undefined, undefined)).toBeUndefined();
  });
});

describe('accountCard', () => {
  it('shows number, name, SIM, i_account, SIP address, each service on or off and the data bundle', () => {
    const card = accountCard(anAccount({ first_name: 'Olivia', last_name: 'Bennett' }), { role: 'viewer' });
    const header = card.blocks[0];
    expect(header).toMatchObject({ type: 'header', text: { text: '📱 +44 7700 900123 · Olivia Bennett' } });
    const text = allText(card.blocks);
    expect(text).toContain('`8944000000000123456`');
    expect(text).toContain('`123456`');
    expect(text).toContain('ONSIM8944000000000123456@sip.example');
    expect(text).toContain('*Voice*\\n✅ On');
    expect(text).toContain('*SMS*\\n✅ On');
    expect(text).toContain('*Data*\\n✅ On');
    expect(text).toContain('*Hotspot*\\n⛔ Off');
    expect(text).toContain('*Data bundle:* 10GB');
    expect(text).toContain('▰▰▰▱▱▱▱▱▱▱ 30%');
    expect(text).toContain('3.1 GB used of 10 GB · *6.9 GB left*');
    expect(text).toContain('1 Jan – 1 Feb 2024');
    expect(card.text).toBe(
      'Account +44 7700 900123 (Olivia Bennett): voice on, SMS on, data on, hotspot off; 10GB 30% used',
    );
    expect(blockKitProblems('message', card)).toEqual([]);
  });

  it('warns when the allowance is nearly or completely used', () => {
    const nearly = anAccount({ bundles: { data: { bundle_name: '10GB', allowance: 10240, used: 9612 } } });
    expect(allText(accountCard(nearly, { role: 'viewer' }).blocks)).toContain('nearly used up');
    const over = anAccount({ bundles: { data: { bundle_name: '10GB', allowance: 10240, used: 11000 } } });
    expect(allText(accountCard(over, { role: 'viewer' }).blocks)).toContain('used up');
  });

  it('says plainly when the bundle has no data allowance, without a bar', () => {
    const base = anAccount({ bundles: { data: { bundle_name: 'No data', allowance: 0, used: 0 } } });
    const text = allText(accountCard(base, { role: 'viewer' }).blocks);
    expect(text).toContain('No data allowance: calls and SMS only');
    expect(text).not.toContain('▱');
  });

  it('shows recording status only when ONSIM gives it', () => {
    expect(allText(accountCard(anAccount(), { role: 'viewer' }).blocks)).not.toContain('Recording');
    const recorded = anAccount({ voice_recording: 'ON', sms_recording: 'OFF' });
    expect(allText(accountCard(recorded, { role: 'viewer' }).blocks)).toContain(
      '*Recording*\\nVoice ✅ On · SMS ⛔ Off',
    );
  });

  it('offers viewers only Share, operators the change buttons, and admins Cease as well', () => {
    const share = { action_id: 'share_in_channel', value: '0|account 447700900123' };
    expect(buttonIds(accountCard(anAccount(), { role: 'viewer', share }).blocks)).toEqual([
      'share_in_channel',
    ]);
    expect(buttonIds(accountCard(anAccount(), { role: 'operator', share }).blocks)).toEqual([
      ACTION_ACCOUNT_QR,
      ACTION_ACCOUNT_BUNDLE,
      ACTION_ACCOUNT_SETTINGS,
      ACTION_ACCOUNT_RECORDING,
      'share_in_channel',
    ]);
    const admin = accountCard(anAccount(), { role: 'admin', share }).blocks;
    expect(buttonIds(admin)).toContain(ACTION_ACCOUNT_CEASE);
    const cease = admin
      .flatMap((b) => (b.type === 'actions' ? b.elements : []))
      .find((e) => 'action_id' in e && e.action_id === ACTION_ACCOUNT_CEASE);
    expect(cease).toMatchObject({ style: 'danger', value: '447700900123' });
  });

  it('escapes what ONSIM sends, so a name cannot ping the channel', () => {
    const card = accountCard(
      anAccount({
        group: '<!channel>',
        sip_address: 'a<b>@x',
        first_name: '<!here>',
        bundles: { data: { bundle_name: '<@U1>', allowance: 10, used: 1 } },
      }),
      { role: 'viewer' },
    );
    const text = allText(card.blocks);
    expect(text).not.toContain('<!channel>');
    expect(card.text).not.toMatch(/<!here>|<@U1>/);
    expect(card.text).toContain('&lt;!here&gt;');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('a&lt;b&gt;@x');
  });

  it("escapes ONSIM's mpn in the notification text when it is no phone number", () => {
    const card = accountCard(anAccount({ mpn: '<!channel>' }), { role: 'viewer' });
    expect(card.text).not.toContain('<!channel>');
    expect(card.text).toContain('&lt;!channel&gt;');
  });

  it('still renders an account with no bundle and unknown services', () => {
    const bare = AccountSchema.parse({ mpn: '447700900123' });
    const card = accountCard(bare, { role: 'admin' });
    expect(allText(card.blocks)).toContain('❔ Unknown');
    expect(blockKitProblems('message', card)).toEqual([]);
  });
});
