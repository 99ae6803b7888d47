import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { EsimInfo } from '../../src/onsim/account.js';
import { ACTION_ESIM_QR, ACTION_ESIM_REFRESH, ACTION_ESIM_SHOW_CODE } from '../../src/views/action-ids.js';
import { decodeEsimRef, encodeEsimRef, esimCard, esimCodeMessage } from '../../src/views/esim.js';
import { blockKitProblems } from '../support/block-kit-limits.js';

const CODE = 'LPA:1$smdp.example.com$SECRETMATCHINGID42';
const installed = EsimInfo.parse({ esim_code: CODE, esim_status: 'installed', enabled_on_device: 'Y' });
const ready = EsimInfo.parse({ esim_code: CODE, esim_status: 'ready to install', enabled_on_device: 'N' });
const byMpn = { kind: 'mpn', value: '447700900123' } as const;

function buttonIds(blocks: KnownBlock[]): string[] {
  return blocks.flatMap((b) =>
    b.type === 'actions'
      ? b.elements.flatMap((e) => ('action_id' in e && e.action_id ? [e.action_id] : []))
      : [],
  );
}

describe('esimCard', () => {
  it('shows status and device state but never the activation code', () => {
    const card = esimCard(ready, { ref: byMpn, role: 'admin' });
    const text = JSON.stringify(card);
    expect(text).toContain('📲 eSIM of +44 7700 900123');
    expect(text).toContain('📦 Ready to install');
    expect(text).toContain('*Enabled on device*\\n⛔ No');
    expect(text).not.toContain('SECRETMATCHINGID42');
    expect(card.text).toBe('eSIM of +44 7700 900123: ready to install, not enabled on device');
    expect(blockKitProblems('message', card)).toEqual([]);
  });

  it('escapes an unexpected status from ONSIM, in the blocks and in the notification text', () => {
    const odd = EsimInfo.parse({ esim_code: CODE, esim_status: '<!channel> pending' });
    const card = esimCard(odd, { ref: byMpn, role: 'viewer' });
    expect(JSON.stringify(card)).not.toContain('<!channel>');
    expect(card.text).toContain('&lt;!channel&gt; pending');
  });

  it('offers Refresh code only while the eSIM is not installed', () => {
    expect(buttonIds(esimCard(ready, { ref: byMpn, role: 'operator' }).blocks)).toEqual([
      ACTION_ESIM_SHOW_CODE,
      ACTION_ESIM_QR,
      ACTION_ESIM_REFRESH,
    ]);
    const card = esimCard(installed, { ref: byMpn, role: 'operator' });
    expect(buttonIds(card.blocks)).toEqual([ACTION_ESIM_SHOW_CODE, ACTION_ESIM_QR]);
    expect(JSON.stringify(card)).toContain('✅ Installed');
  });

  it('gives viewers only the Share button', () => {
    const share = { action_id: 'share_in_channel', value: '0|esim 07700900123' };
    expect(buttonIds(esimCard(ready, { ref: byMpn, role: 'viewer', share }).blocks)).toEqual([
      'share_in_channel',
    ]);
  });

  it('names the eSIM the way it was looked up', () => {
    const iccid = esimCard(ready, { ref: { kind: 'iccid', value: '8944530100000001022' }, role: 'viewer' });
    expect(iccid.text).toContain('ICCID 8944530100000001022');
    const account = esimCard(ready, { ref: { kind: 'i_account', value: '204122' }, role: 'viewer' });
    expect(account.text).toContain('account 204122');
  });
});

describe('eSIM button values', () => {
  it('round-trip every kind of reference and reject anything else', () => {
    for (const ref of [
      byMpn,
      { kind: 'iccid', value: '8944530100000001022' } as const,
      { kind: 'i_account', value: '204122' } as const,
    ]) {
      expect(decodeEsimRef(encodeEsimRef(ref))).toEqual(ref);
    }
    expect(decodeEsimRef('esim_code:LPA:1$x$y')).toBeNull();
    expect(decodeEsimRef('mpn:')).toBeNull();
    expect(decodeEsimRef(undefined)).toBeNull();
  });
});

describe('esimCodeMessage', () => {
  it('shows the whole code with a warning to keep it private', () => {
    const msg = esimCodeMessage(byMpn, CODE);
    expect(JSON.stringify(msg.blocks)).toContain(CODE);
    expect(JSON.stringify(msg.blocks)).toContain('only you can see this');
    expect(msg.text).not.toContain('SECRETMATCHINGID42');
  });
});
