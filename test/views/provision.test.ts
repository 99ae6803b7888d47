import { describe, expect, it } from 'vitest';
import {
  checkOnsimChoices,
  type ProvisionModalState,
  parseProvisionSubmission,
  provisionedRecord,
  provisionMetadata,
  provisionModal,
  sipCredentialsMessage,
} from '../../src/views/provision.js';
import { blockKitProblems } from '../support/block-kit-limits.js';
import { fieldValues } from '../support/slack-requests.js';

const lists = {
  groups: ['ACME_LOGISTICS', 'acme-sales_01'],
  products: [{ id: 18, name: 'ONSIM UC Standard', description: 'Calls, SMS and the ONSIM app' }],
};
const state = (over: Partial<ProvisionModalState> = {}): ProvisionModalState => ({
  flavour: 'onsim',
  channelId: 'C123',
  lists: { status: 'ready', lists },
  qrDelivery: 'channel',
  ...over,
});
type Block = { type: string; block_id?: string; element?: { type?: string; options?: unknown[] } };
const blocks = (view: { blocks: unknown[] }) => view.blocks as Block[];
const ids = (view: { blocks: unknown[] }) => blocks(view).map((b) => b.block_id);

describe('provisionModal', () => {
  it('shows only the ONSIM UC fields, each under its ONSIM field name, within Block Kit limits', () => {
    const view = provisionModal(state());
    expect(ids(view)).toEqual([
      'provision_flavour_block',
      'mpn',
      'iccid',
      'group_name',
      'product',
      'mobile_data',
      'home_location',
      'first_name',
      'last_name',
      'email',
      undefined,
    ]);
    expect(view.submit).toBeDefined();
    expect(blockKitProblems('modal', { view })).toEqual([]);
  });

  it('shows only the own-PBX fields, without waiting for lists', () => {
    const view = provisionModal(state({ flavour: 'pbx', lists: { status: 'loading' } }));
    expect(ids(view)).toEqual([
      'provision_flavour_block',
      'mpn',
      'iccid',
      'pbx_user',
      'pbx_password',
      undefined,
    ]);
    expect(view.submit).toBeDefined();
  });

  it('has no submit button while the ONSIM UC lists are loading or failed', () => {
    for (const lists of [{ status: 'loading' }, { status: 'failed', message: 'ONSIM is down.' }] as const) {
      const view = provisionModal(state({ lists }));
      expect(view.submit).toBeUndefined();
      expect(ids(view)).not.toContain('mpn');
      expect(blockKitProblems('modal', { view })).toEqual([]);
    }
  });

  it('asks where to report only when opened outside a channel', () => {
    expect(ids(provisionModal(state({ channelId: null })))).toContain('report_channel');
    expect(ids(provisionModal(state()))).not.toContain('report_channel');
  });

  it('turns the group menu into a text field when ONSIM has more groups than a menu holds', () => {
    const many = Array.from({ length: 150 }, (_, i) => `group-${i}`);
    const view = provisionModal(state({ lists: { status: 'ready', lists: { ...lists, groups: many } } }));
    const group = blocks(view).find((b) => b.block_id === 'group_name');
    expect(group?.element?.type).toBe('plain_text_input');
    expect(blockKitProblems('modal', { view })).toEqual([]);
  });

  it('keeps the channel and flavour in private_metadata', () => {
    const view = provisionModal(state({ flavour: 'pbx', channelId: null }));
    expect(provisionMetadata.decode(view.private_metadata)).toEqual({ flavour: 'pbx', channelId: null });
    expect(
      provisionMetadata.decode(provisionMetadata.encode({ flavour: 'onsim', channelId: 'G42ABC' })),
    ).toEqual({
      flavour: 'onsim',
      channelId: 'G42ABC',
    });
    expect(provisionMetadata.decode('{"c":"not a channel","f":"onsim"}')).toBeUndefined();
    expect(provisionMetadata.decode('')).toBeUndefined();
  });
});

describe('parseProvisionSubmission', () => {
  it('reads national numbers in the configured country', () => {
    const parsed = parseProvisionSubmission(fieldValues({ mpn: '(202) 555-0143' }), 'pbx', {
      defaultCountry: 'US',
    });
    expect(parsed).toEqual({ ok: true, flavour: 'pbx', input: { mpn: '12025550143' }, reportChannel: null });
  });

  it('keeps a password as typed, spaces included', () => {
    const parsed = parseProvisionSubmission(
      fieldValues({ mpn: '07700 900123', pbx_password: ' two words ' }),
      'pbx',
    );
    expect(parsed.ok && parsed.flavour === 'pbx' && parsed.input.pbx_password).toBe(' two words ');
  });

  it('says what each required ONSIM UC field needs when the form comes back empty', () => {
    const parsed = parseProvisionSubmission({}, 'onsim');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(
      [
        'email',
        'first_name',
        'group_name',
        'home_location',
        'last_name',
        'mobile_data',
        'mpn',
        'product',
      ].sort(),
    );
    expect(parsed.errors.mpn).toContain('empty');
  });
});

describe('checkOnsimChoices', () => {
  const input = {
    mpn: '447700900201',
    group_name: 'ACME_LOGISTICS',
    home_location: 'GBR' as const,
    first_name: 'Jo',
    last_name: 'Smith',
    email: 'jo@example.com',
    product: 18,
    mobile_data: '2GB' as const,
  };

  it('takes a listed group in any case and sends it as ONSIM spells it', () => {
    expect(checkOnsimChoices({ ...input, group_name: 'Acme-Sales_01' }, lists)).toEqual({
      ok: true,
      input: { ...input, group_name: 'acme-sales_01' },
    });
  });

  it('puts an unknown group, a bad group name and an unknown product on their fields', () => {
    expect(checkOnsimChoices({ ...input, group_name: 'OTHER_CO', product: 7 }, lists)).toEqual({
      ok: false,
      errors: {
        group_name: expect.stringContaining('ONSIM has no customer group “OTHER_CO”'),
        product: expect.stringContaining('no product 7'),
      },
    });
    const bad = checkOnsimChoices({ ...input, group_name: '_x' }, lists);
    expect(bad.ok === false && bad.errors.group_name).toContain('not a valid group name');
  });
});

describe('messages after provisioning', () => {
  it('records the line in the channel without names, email or secrets', () => {
    const msg = provisionedRecord({
      flavour: 'onsim',
      mpn: '447700900201',
      iccid: '8944530100000005000',
      userId: 'UOPER',
      group: 'ACME <b>',
      product: { id: 18, name: 'ONSIM UC Standard' },
      mobileData: '2GB',
      homeLocation: 'GBR',
      qr: 'below',
    });
    const shown = JSON.stringify(msg);
    expect(shown).toContain('ACME &lt;b&gt;');
    expect(shown).toContain('ONSIM UC Standard (#18)');
    expect(blockKitProblems('message', msg)).toEqual([]);
  });

  it('puts the SIP password in the blocks only, never in the notification text', () => {
    const msg = sipCredentialsMessage({
      mpn: '447700900201',
      username: 'ONSIM8944',
      password: 'pw-<secret>',
    });
    expect(msg.text).not.toContain('pw-');
    expect(JSON.stringify(msg.blocks)).toContain('SIP password: pw-<secret>');
  });
});
