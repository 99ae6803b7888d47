import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/logger.js';
import type { RecordingSettings } from '../../src/onsim/account.js';
import { createOnsimClient, type OnsimClient } from '../../src/onsim/client.js';
import {
  OnsimApiError,
  OnsimConnectionError,
  OnsimInputError,
  OnsimNotFoundError,
  OnsimOutcomeUnknownError,
  OnsimRateLimitedError,
  OnsimResponseError,
  OnsimServerError,
  OnsimTimeoutError,
  OnsimUnauthorizedError,
} from '../../src/onsim/errors.js';
import type { OnsimHttp } from '../../src/onsim/http.js';
import { describeErrorBody } from '../../src/onsim/http.js';
import { listPorts, Port } from '../../src/onsim/porting.js';
import type { ProvisionOnsim } from '../../src/onsim/reseller.js';
import { SANDBOX_FIXTURES as F, type Sandbox, startSandbox } from '../../src/onsim/sandbox/server.js';
import { listOf } from '../../src/onsim/shapes.js';

let sandbox: Sandbox;
let onsim: OnsimClient;
let sleeps: number[];
let logs: string[];

function client(
  overrides: { apiKey?: string; baseUrl?: string; timeoutMs?: number; maxResponseBytes?: number } = {},
): OnsimClient {
  return createOnsimClient({
    baseUrl: overrides.baseUrl ?? sandbox.url,
    apiKey: overrides.apiKey ?? sandbox.apiKey,
    timeoutMs: overrides.timeoutMs ?? 1_500,
    ...(overrides.maxResponseBytes === undefined ? {} : { maxResponseBytes: overrides.maxResponseBytes }),
    logger: createLogger({ level: 'debug', destination: { write: (l: string) => void logs.push(l) } }),
    // Record the waits instead of sleeping through them.
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, portAdvanceMs: null, esimInstallAfterMs: 0 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
  sleeps = [];
  logs = [];
  onsim = client();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('the 18 operations against the sandbox', () => {
  it('1. gets account info, with services and the data bundle', async () => {
    const a = await onsim.account.get('+44 7700 900123');
    expect(a.mpn).toBe(F.installedEsimMpn);
    expect(a.sim).toBe(F.installedEsimIccid);
    expect(a.services.mobile_voice).toMatch(/^(ON|OFF)$/);
    expect(typeof a.bundles.data?.allowance).toBe('number');
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /account/${F.installedEsimMpn}`,
    ]);
  });

  it('2. queries an eSIM by MPN, ICCID or i_account without refreshing it', async () => {
    const byMpn = await onsim.account.getEsim({ mpn: F.installedEsimMpn });
    const byIccid = await onsim.account.getEsim({ iccid: F.installedEsimIccid });
    const byAccount = await onsim.account.getEsim({ i_account: F.installedEsimAccount });
    expect(byMpn.esim_status).toBe('installed');
    expect(byIccid.esim_code).toBe(byMpn.esim_code);
    expect(byAccount.esim_code).toBe(byMpn.esim_code);
    expect(sandbox.requests[0]?.body).toEqual({ mpn: F.installedEsimMpn, refresh_code: 0 });
  });

  it('2. refreshes the code of an eSIM that is not installed yet', async () => {
    const before = await onsim.account.getEsim({ mpn: F.readyEsimMpn });
    const after = await onsim.account.refreshEsimCode({ mpn: F.readyEsimMpn });
    expect(after.refresh_code).toBe('esim code refreshed');
    expect(after.esim_code).not.toBe(before.esim_code);
    expect(sandbox.requestsTo('POST', '/account/esim').at(-1)?.body).toEqual({
      mpn: F.readyEsimMpn,
      refresh_code: 1,
    });
  });

  it('3. generates a QR image URL that serves a PNG', async () => {
    const { esim_code } = await onsim.account.getEsim({ mpn: F.readyEsimMpn });
    const url = await onsim.account.generateQr(esim_code!);
    const png = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('4. updates the bundle through the path', async () => {
    await onsim.account.updateBundle('07700 900123', 'UNLIMITED');
    expect(sandbox.requestsTo('POST', '/account/')[0]?.path).toBe(
      `/account/${F.installedEsimMpn}/bundle/UNLIMITED`,
    );
    expect((await onsim.account.get(F.installedEsimMpn)).bundles.data?.bundle_name).toMatch(/unlimited/i);
  });

  it('5. sends both recording values', async () => {
    await onsim.account.setRecording(F.installedEsimMpn, { voice_recording: 'ON', sms_recording: 'OFF' });
    expect(sandbox.requestsTo('POST', `/account/${F.installedEsimMpn}/recording`)[0]?.body).toEqual({
      voice_recording: 'ON',
      sms_recording: 'OFF',
    });
  });

  it('6. sends only the mobile settings given', async () => {
    await onsim.account.updateMobileSettings(F.installedEsimMpn, { mobile_hotspot: 'ON', first_name: 'Ada' });
    expect(sandbox.requestsTo('POST', '/account/pbxinfo/')[0]?.body).toEqual({
      mobile_hotspot: 'ON',
      first_name: 'Ada',
    });
  });

  it('7. ceases by the 19-digit ICCID in a DELETE body, from the printed 20-digit form', async () => {
    const printed = `${F.psimIccid}${luhn(F.psimIccid)}`;
    await onsim.account.cease(printed);
    const req = sandbox.requestsTo('DELETE', '/account')[0];
    expect(req?.body).toEqual({ iccid: F.psimIccid });
    await expect(onsim.account.get(F.psimMpn)).rejects.toBeInstanceOf(OnsimNotFoundError);
  });

  it('8. provisions with an own PBX, sending only what was given', async () => {
    const res = await onsim.reseller.provisionOwnPbx({ mpn: F.reservedNumber });
    expect(sandbox.requestsTo('POST', '/reseller/provision')[0]?.body).toEqual({ mpn: F.reservedNumber });
    expect(res.iccid).toMatch(/^ONSIM89\d{17}$/);
    expect(res.pbx_password).toBeTruthy();
    expect(res.esim_code).toMatch(/^LPA:1\$/);
  });

  it('9. provisions on ONSIM UC with every required field', async () => {
    const input = {
      mpn: F.reservedNumber,
      group_name: F.groupName,
      home_location: 'GBR' as const,
      first_name: 'John',
      last_name: 'Smith',
      email: 'j.smith@example.com',
      product: F.productId,
      mobile_data: '2GB' as const,
    };
    await onsim.reseller.provisionOnsim(input);
    expect(sandbox.requestsTo('POST', '/reseller/provision-onsim')[0]?.body).toEqual(input);
  });

  it('10. lists the catalogue', async () => {
    const c = await onsim.reseller.getCatalogue();
    expect(c.products.map((p) => p.id)).toContain(F.productId);
    expect(c.bundles.map((b) => b.sku)).toEqual(expect.arrayContaining(['BASE', 'UNLIMITED']));
  });

  it('11. lists subscribers with filters, always naming the state', async () => {
    const all = await onsim.reseller.listSubscribers();
    const recorded = await onsim.reseller.listSubscribers({ is_recorded: true, group: F.groupName });
    expect(all.length).toBeGreaterThanOrEqual(50);
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((s) => s.group === F.groupName)).toBe(true);
    expect(sandbox.requests[1]?.body).toEqual({
      state: 'PROVISIONED',
      is_recorded: true,
      group: F.groupName,
    });
  });

  it('12/13. lists groups and adds one', async () => {
    await onsim.reseller.addGroup({
      name: 'new-group_1',
      address_line_1: '1 High Street',
      home_location: 'GBR,USA',
    });
    const groups = await onsim.reseller.listGroups();
    expect(groups.map((g) => g.name)).toContain('new-group_1');
  });

  it('14. lists ports by state, URL-encoding the space of IN PROGRESS', async () => {
    const ports = await onsim.porting.list('IN PROGRESS');
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.every((p) => p.status === 'IN PROGRESS')).toBe(true);
    expect(sandbox.requests[0]?.rawPath).toBe('/port/all/IN%20PROGRESS');
  });

  it('15. looks up one port', async () => {
    const p = await onsim.porting.get(F.failedPortId);
    expect(p.trID).toBe(F.failedPortId);
    expect(p.status).toBe('FAILED');
  });

  it('16. lists SIMs by state and type', async () => {
    const esims = await onsim.sims.list('RESERVED', 'eSIM');
    expect(esims.map((s) => s.iccid)).toContain(F.reservedEsimIccid);
    expect(sandbox.requests[0]?.path).toBe('/sims/RESERVED/eSIM');
  });

  it('17/18. lists numbers and adds one', async () => {
    await onsim.numbers.add('+44 7700 900555');
    const reserved = await onsim.numbers.list('RESERVED');
    expect(reserved.map((n) => n.mpn)).toContain('447700900555');
  });
});

describe('input validation happens before any request', () => {
  const cases: Array<[string, (c: OnsimClient) => Promise<unknown>, string]> = [
    ['a letter in an MPN', (c) => c.account.get('07700 9OO123'), 'mpn'],
    ['an MPN that is too short', (c) => c.numbers.add('12345'), 'mpn'],
    [
      'a printed ICCID with a wrong check digit',
      (c) => c.account.cease(`${F.psimIccid}${(luhn(F.psimIccid) + 1) % 10}`),
      'iccid',
    ],
    ['an ICCID of 12 digits', (c) => c.account.getEsim({ iccid: '894453010000' }), 'iccid'],
    ['an eSIM query with no identifier', (c) => c.account.getEsim({}), 'mpn'],
    ['a QR for a code not starting LPA:1', (c) => c.account.generateQr('XYZ:1$a$b'), 'esim_code'],
    ['a bundle SKU with a space', (c) => c.account.updateBundle(F.installedEsimMpn, 'TEN GB'), 'bundle'],
    [
      'a recording value other than ON/OFF',
      (c) =>
        c.account.setRecording(F.installedEsimMpn, { voice_recording: 'MAYBE' as 'ON', sms_recording: 'ON' }),
      'voice_recording',
    ],
    [
      'a settings email without @',
      (c) => c.account.updateMobileSettings(F.installedEsimMpn, { email: 'john.example.com' }),
      'email',
    ],
    ['settings with nothing to change', (c) => c.account.updateMobileSettings(F.installedEsimMpn, {}), 'mpn'],
    [
      'a provision with an unknown mobile_data',
      (c) =>
        c.reseller.provisionOnsim({
          mpn: F.reservedNumber,
          group_name: F.groupName,
          home_location: 'GBR',
          first_name: 'A',
          last_name: 'B',
          email: 'a@b.co',
          product: 18,
          mobile_data: '3GB' as '2GB',
        }),
      'mobile_data',
    ],
    [
      'a provision with a bad email',
      (c) =>
        c.reseller.provisionOnsim({
          mpn: F.reservedNumber,
          group_name: F.groupName,
          home_location: 'GBR',
          first_name: 'A',
          last_name: 'B',
          email: 'not-an-email',
          product: 18,
          mobile_data: '2GB',
        }),
      'email',
    ],
    [
      'an own-PBX provision with a short password',
      (c) => c.reseller.provisionOwnPbx({ mpn: F.reservedNumber, pbx_password: 'abc' }),
      'pbx_password',
    ],
    [
      'a group name with a space',
      (c) => c.reseller.addGroup({ name: 'acme sales', address_line_1: 'x', home_location: 'GBR' }),
      'name',
    ],
    [
      'a group name without letters',
      (c) => c.reseller.addGroup({ name: '12345', address_line_1: 'x', home_location: 'GBR' }),
      'name',
    ],
    [
      'a group home location of FRA',
      (c) => c.reseller.addGroup({ name: 'acme', address_line_1: 'x', home_location: 'FRA' as 'GBR' }),
      'home_location',
    ],
    ['an unknown port state', (c) => c.porting.list('DONE' as 'ALL'), 'input'],
    ['an unknown SIM type', (c) => c.sims.list('ACTIVE', 'nano' as 'ALL'), 'type'],
    ['an unknown number state', (c) => c.numbers.list('FREE' as 'ACTIVE'), 'input'],
    ['a port id with a slash', (c) => c.porting.get('../1'), 'input'],
  ];
  it.each(cases)('rejects %s, naming the field, and sends nothing', async (_name, call, field) => {
    const err = await rejection(call(onsim));
    expect(err).toBeInstanceOf(OnsimInputError);
    expect((err as OnsimInputError).issues.map((i) => i.field)).toContain(field);
    expect((err as OnsimInputError).issues.every((i) => i.message.length > 10)).toBe(true);
    expect(sandbox.requests).toHaveLength(0);
  });
});

/** A valid ONSIM UC provision, to break one field at a time. */
const UC: ProvisionOnsim = {
  mpn: F.reservedNumber,
  group_name: F.groupName,
  home_location: 'GBR',
  first_name: 'Jo',
  last_name: 'Smith',
  email: 'jo@example.com',
  product: F.productId,
  mobile_data: '2GB',
};
const withoutField = (field: keyof ProvisionOnsim): ProvisionOnsim => {
  const { [field]: _dropped, ...rest } = UC;
  return rest as ProvisionOnsim;
};
const GROUP = { name: 'acme-sales', address_line_1: '1 High Street', home_location: 'GBR' } as const;

describe("every input rule of ONSIM's documentation is checked before anything is sent", () => {
  // [rule, call, field named]: one bad input per documented rule, by operation number.
  const rules: Array<[string, (c: OnsimClient) => Promise<unknown>, string]> = [
    ['1. an empty MPN', (c) => c.account.get(''), 'mpn'],
    ['2. an i_account that is not digits', (c) => c.account.getEsim({ i_account: 'abc' }), 'i_account'],
    ['2. an eSIM query by a malformed MPN', (c) => c.account.getEsim({ mpn: '07700' }), 'mpn'],
    ['2. an ICCID not starting 89', (c) => c.account.getEsim({ iccid: '1234567890123456789' }), 'iccid'],
    ['2. a refresh naming no eSIM', (c) => c.account.refreshEsimCode({}), 'mpn'],
    ['3. an empty activation code', (c) => c.account.generateQr(''), 'esim_code'],
    ['3. an activation code in lower-case lpa:2', (c) => c.account.generateQr('LPA:2$a$b'), 'esim_code'],
    ['4. an empty bundle', (c) => c.account.updateBundle(F.installedEsimMpn, ''), 'bundle'],
    ['4. a bundle for a malformed MPN', (c) => c.account.updateBundle('12', 'UNLIMITED'), 'mpn'],
    [
      '5. a missing sms_recording',
      (c) => c.account.setRecording(F.installedEsimMpn, { voice_recording: 'ON' } as RecordingSettings),
      'sms_recording',
    ],
    [
      '5. recording for a malformed MPN',
      (c) => c.account.setRecording('abc', { voice_recording: 'ON', sms_recording: 'ON' }),
      'mpn',
    ],
    [
      '6. a malformed new MPN',
      (c) => c.account.updateMobileSettings(F.installedEsimMpn, { mpn: '123' }),
      'mpn',
    ],
    [
      '6. a SIP username with a space',
      (c) => c.account.updateMobileSettings(F.installedEsimMpn, { pbx_user: 'john smith' }),
      'pbx_user',
    ],
    [
      '6. a SIP password under 8 characters',
      (c) => c.account.updateMobileSettings(F.installedEsimMpn, { pbx_password: 'short' }),
      'pbx_password',
    ],
    [
      '6. an empty first name',
      (c) => c.account.updateMobileSettings(F.installedEsimMpn, { first_name: '  ' }),
      'first_name',
    ],
    [
      '6. mobile_data other than ON/OFF',
      (c) => c.account.updateMobileSettings(F.installedEsimMpn, { mobile_data: 'YES' as 'ON' }),
      'mobile_data',
    ],
    [
      '6. mobile_voice, mobile_sms or mobile_hotspot other than ON/OFF',
      (c) => c.account.updateMobileSettings(F.installedEsimMpn, { mobile_sms: 'on' as 'ON' }),
      'mobile_sms',
    ],
    [
      '6. settings for a malformed MPN',
      (c) => c.account.updateMobileSettings('+44 7700', { mobile_hotspot: 'ON' }),
      'mpn',
    ],
    ['7. an empty ICCID', (c) => c.account.cease(''), 'iccid'],
    ['7. an ICCID with letters', (c) => c.account.cease('8944ABC'), 'iccid'],
    ['8. a provision without an MPN', (c) => c.reseller.provisionOwnPbx({ mpn: '' }), 'mpn'],
    [
      '8. a provision with a malformed ICCID',
      (c) => c.reseller.provisionOwnPbx({ mpn: F.reservedNumber, iccid: '8944' }),
      'iccid',
    ],
    [
      '8. a SIP username with a space',
      (c) => c.reseller.provisionOwnPbx({ mpn: F.reservedNumber, pbx_user: 'a b c' }),
      'pbx_user',
    ],
    ...(
      [
        'mpn',
        'group_name',
        'home_location',
        'first_name',
        'last_name',
        'email',
        'product',
        'mobile_data',
      ] as const
    ).map((field): [string, (c: OnsimClient) => Promise<unknown>, string] => [
      `9. an ONSIM UC provision without ${field}`,
      (c) => c.reseller.provisionOnsim(withoutField(field)),
      field,
    ]),
    [
      '9. a home location other than GBR, USA or FRA',
      (c) => c.reseller.provisionOnsim({ ...UC, home_location: 'DEU' as 'GBR' }),
      'home_location',
    ],
    [
      '9. a product that is not a number',
      (c) => c.reseller.provisionOnsim({ ...UC, product: 'abc' }),
      'product',
    ],
    ['9. a product that is not whole', (c) => c.reseller.provisionOnsim({ ...UC, product: 1.5 }), 'product'],
    ['9. a malformed ICCID', (c) => c.reseller.provisionOnsim({ ...UC, iccid: '89' }), 'iccid'],
    [
      '11. a subscriber state other than PROVISIONED',
      (c) => c.reseller.listSubscribers({ state: 'ACTIVE' as 'PROVISIONED' }),
      'state',
    ],
    [
      '11. is_recorded that is not a boolean',
      // What a caller without types could send: a string where ONSIM wants a boolean.
      (c) => c.reseller.listSubscribers(Object.assign({ is_recorded: true }, { is_recorded: 'yes' })),
      'is_recorded',
    ],
    ['11. an empty group', (c) => c.reseller.listSubscribers({ group: ' ' }), 'group'],
    ['13. a group name of 2 characters', (c) => c.reseller.addGroup({ ...GROUP, name: 'ab' }), 'name'],
    [
      '13. a group name of 46 characters',
      (c) => c.reseller.addGroup({ ...GROUP, name: `a${'b'.repeat(45)}` }),
      'name',
    ],
    ['13. a group name starting with _', (c) => c.reseller.addGroup({ ...GROUP, name: '_acme' }), 'name'],
    ['13. a group name with !', (c) => c.reseller.addGroup({ ...GROUP, name: 'acme!' }), 'name'],
    [
      '13. a group without address_line_1',
      (c) => c.reseller.addGroup({ ...GROUP, address_line_1: '' }),
      'address_line_1',
    ],
    [
      '13. a group post code that is too long',
      (c) => c.reseller.addGroup({ ...GROUP, post_code: 'X'.repeat(17) }),
      'post_code',
    ],
    ['16. an unknown SIM state', (c) => c.sims.list('FREE' as 'ACTIVE'), 'state'],
    ['18. a number with letters', (c) => c.numbers.add('07700 TAXI'), 'mpn'],
  ];
  it.each(rules)('rejects %s, in words, naming the field, and sends nothing', async (_rule, call, field) => {
    const err = await rejection(call(onsim));
    expect(err).toBeInstanceOf(OnsimInputError);
    const issues = (err as OnsimInputError).issues;
    expect(issues.map((i) => i.field)).toContain(field);
    for (const { message } of issues) {
      expect(message.split(' ').length).toBeGreaterThan(3);
      // zod's own wording would mean a rule without a message for people.
      expect(message).not.toMatch(
        /Invalid input|expected \w+, received|Too (small|big)|Invalid (option|string)/,
      );
    }
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('retries', () => {
  it('retries a read answered 503, then succeeds', async () => {
    sandbox.setFault({ status: 503, times: 2 });
    const groups = await onsim.reseller.listGroups();
    expect(groups.length).toBeGreaterThan(0);
    expect(sandbox.requestsTo('GET', '/reseller/groups')).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('retries a read answered 429, waiting as long as Retry-After says', async () => {
    sandbox.setFault({ status: 429, retryAfter: 2, times: 1 });
    await onsim.numbers.list('ACTIVE');
    expect(sandbox.requestsTo('GET', '/numbers/ACTIVE')).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it('waits as long as Retry-After says after a 503 too', async () => {
    sandbox.setFault({ status: 503, retryAfter: 3, times: 1 });
    await onsim.porting.get(F.openPortId);
    expect(sandbox.requestsTo('GET', `/port/${F.openPortId}`)).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
  });

  it('gives up at once when Retry-After asks for longer than the retry budget, saying when to try again', async () => {
    sandbox.setFault({ status: 429, retryAfter: 600 });
    const err = await rejection(onsim.reseller.listGroups());
    expect(err).toBeInstanceOf(OnsimRateLimitedError);
    expect((err as OnsimRateLimitedError).retryAfterSeconds).toBe(600);
    expect(sandbox.requestsTo('GET', '/reseller/groups')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(429, { 'retry-after': new Date(Date.now() + 5_000).toUTCString() });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const err = await rejection(client({ baseUrl: `http://127.0.0.1:${port}` }).reseller.listGroups());
      expect(err).toBeInstanceOf(OnsimRateLimitedError);
      // Whole seconds: the date has no milliseconds, so 4 or 5 s remain.
      expect(sleeps[0]).toBeGreaterThanOrEqual(4_000);
      expect(sleeps[0]).toBeLessThanOrEqual(5_000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('retries the subscriber list (a read sent as POST) on 500', async () => {
    sandbox.setFault({ status: 500, times: 1 });
    await onsim.reseller.listSubscribers();
    expect(sandbox.requestsTo('POST', '/reseller/subscribers')).toHaveLength(2);
  });

  it('gives up on a read after the bounded attempts with a server error', async () => {
    sandbox.setFault({ status: 502 });
    const err = await rejection(onsim.reseller.listGroups());
    expect(err).toBeInstanceOf(OnsimServerError);
    expect(sandbox.requestsTo('GET', '/reseller/groups')).toHaveLength(4);
  });

  it('does not retry a provision answered 503: the outcome is unknown', async () => {
    sandbox.setFault({ status: 503, match: { pathPrefix: '/reseller/provision' } });
    const err = await rejection(onsim.reseller.provisionOwnPbx({ mpn: F.reservedNumber }));
    expect(err).toBeInstanceOf(OnsimOutcomeUnknownError);
    expect(sandbox.requestsTo('POST', '/reseller/provision')).toHaveLength(1);
    expect(sleeps).toHaveLength(0);
  });

  it('retries a write answered 429: the gateway refused it before ONSIM saw it', async () => {
    sandbox.setFault({ status: 429, retryAfter: 1, times: 1 });
    await onsim.numbers.add('447700900556');
    expect(sandbox.requestsTo('POST', '/numbers/447700900556')).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  it('reports rate limiting once the attempts are used up', async () => {
    sandbox.setFault({ status: 429, retryAfter: 1 });
    const err = await rejection(onsim.numbers.add('447700900557'));
    expect(err).toBeInstanceOf(OnsimRateLimitedError);
    expect((err as OnsimRateLimitedError).retryAfterSeconds).toBe(1);
  });

  it('times out a hanging read, retries it, and reports a timeout', async () => {
    const quick = client({ timeoutMs: 200 });
    sandbox.setFault({ hang: true, times: 1 });
    await quick.reseller.listGroups();
    expect(sandbox.requestsTo('GET', '/reseller/groups')).toHaveLength(2);
    sandbox.setFault({ hang: true });
    expect(await rejection(quick.reseller.listGroups())).toBeInstanceOf(OnsimTimeoutError);
  });

  it('turns a hanging write into outcome unknown without retrying it', async () => {
    const quick = client({ timeoutMs: 200 });
    sandbox.setFault({ hang: true });
    const err = await rejection(quick.account.cease(F.psimIccid));
    expect(err).toBeInstanceOf(OnsimOutcomeUnknownError);
    expect(sandbox.requestsTo('DELETE', '/account')).toHaveLength(1);
  });

  it('reports a refused connection as a connection error', async () => {
    const nowhere = client({ baseUrl: 'http://127.0.0.1:1' });
    expect(await rejection(nowhere.reseller.listGroups())).toBeInstanceOf(OnsimConnectionError);
  });
});

describe('a cap on the size of ONSIM answers', () => {
  /** A fake ONSIM answering every call with `answer`; counts the calls. */
  async function fakeOnsim(answer: (res: import('node:http').ServerResponse) => void) {
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      calls: () => calls,
      close: () =>
        new Promise((resolve) => server.close(resolve)).finally(() => server.closeAllConnections()),
    };
  }

  it('stops reading an endless answer at the cap and says so, without retrying', async () => {
    const endless = await fakeOnsim((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = `[${'"0000000000",'.repeat(5_000)}`;
      const more = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', more);
      more();
    });
    try {
      // A generous timeout: only the cap can end this call.
      const capped = client({ baseUrl: endless.url, maxResponseBytes: 1024 * 1024, timeoutMs: 60_000 });
      const err = await rejection(capped.reseller.listGroups());
      expect(err).toBeInstanceOf(OnsimResponseError);
      expect((err as Error).message).toBe(
        "group list: ONSIM's answer was larger than 1 MB and was not read (raise ONSIM_MAX_RESPONSE_MB if it is expected)",
      );
      expect(endless.calls()).toBe(1);
    } finally {
      await endless.close();
    }
  });

  it('refuses an answer whose declared length is over the cap before reading it', async () => {
    const declared = await fakeOnsim((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) });
      res.write('[');
    });
    try {
      const capped = client({ baseUrl: declared.url, maxResponseBytes: 1024 * 1024, timeoutMs: 60_000 });
      expect(await rejection(capped.reseller.listGroups())).toBeInstanceOf(OnsimResponseError);
    } finally {
      await declared.close();
    }
  });

  it('times out an answer whose body never ends, not only one whose headers never come', async () => {
    const dripping = await fakeOnsim((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
    });
    try {
      const quick = client({ baseUrl: dripping.url, timeoutMs: 200 });
      expect(await rejection(quick.reseller.listGroups())).toBeInstanceOf(OnsimTimeoutError);
    } finally {
      await dripping.close();
    }
  });

  it('reads answers under the cap as before', async () => {
    const roomy = client({ maxResponseBytes: 1024 * 1024 });
    expect((await roomy.reseller.listGroups()).length).toBeGreaterThan(0);
  });
});

describe('errors in words', () => {
  it('reads a 404 problem body as not found', async () => {
    const err = await rejection(onsim.account.get(F.unknownMpn));
    expect(err).toBeInstanceOf(OnsimNotFoundError);
    expect((err as OnsimApiError).title.length).toBeGreaterThan(0);
  });

  it('reads a wrong API key as unauthorized, without retrying', async () => {
    const wrong = client({ apiKey: 'wrong-key' });
    expect(await rejection(wrong.reseller.listGroups())).toBeInstanceOf(OnsimUnauthorizedError);
    expect(sandbox.requests).toHaveLength(1);
  });

  it.each([
    ['problem', 'Bad Request', 'Fault injected by the sandbox (400).'],
    ['message', 'Fault injected by the sandbox (400).', undefined],
    ['error', 'Bad Request', undefined],
    ['text', 'Bad Request', undefined],
    ['html', 'Bad Request', undefined],
  ] as const)('pulls the words out of a %s error body, saying nothing twice', async (body, title, detail) => {
    sandbox.setFault({ status: 400, body });
    const err = await rejection(onsim.reseller.listGroups());
    expect(err).toBeInstanceOf(OnsimApiError);
    const e = err as OnsimApiError;
    expect({ status: e.status, title: e.title, detail: e.detail }).toEqual({ status: 400, title, detail });
  });

  it.each([
    [
      'problem+json',
      'application/problem+json',
      '{"type":"about:blank","title":"Invalid MPN","status":400,"detail":"mpn must be E.164 digits"}',
      'Invalid MPN',
      'mpn must be E.164 digits',
    ],
    [
      '{message}',
      'application/json',
      '{"message":"Number already active"}',
      'Number already active',
      undefined,
    ],
    ['{error}', 'application/json', '{"error":"invalid_request"}', 'invalid_request', undefined],
    [
      '{error: {code, message}}',
      'application/json',
      '{"error":{"code":"E42","message":"SIM is not RESERVED"}}',
      'SIM is not RESERVED',
      undefined,
    ],
    [
      '{errors: [...]}',
      'application/json',
      '{"title":"Validation failed","errors":[{"field":"email","message":"not an email"},"mpn is taken"]}',
      'Validation failed',
      'email: not an email; mpn is taken',
    ],
    [
      '{errors: {field: [...]}}',
      'application/json',
      '{"message":"The given data was invalid.","errors":{"email":["must be an email"]}}',
      'The given data was invalid.',
      'email: must be an email',
    ],
    ['a JSON string', 'application/json', '"Group not found"', 'Bad Request', 'Group not found'],
    ['plain text', 'text/plain', 'mpn is not a number\n', 'Bad Request', 'mpn is not a number'],
    [
      'an HTML page with a title',
      'text/html',
      '<html><head><title>400 Bad Request</title></head><body><h1>400 Bad Request</h1></body></html>',
      'Bad Request',
      undefined,
    ],
    [
      'an HTML page without a title',
      'text/html',
      '<html><body><h1>Access denied</h1><p>Error 1020</p></body></html>',
      'Bad Request',
      'Access denied',
    ],
    ['an empty body', null, '', 'Bad Request', undefined],
  ] as const)('reads %s as words', (_shape, contentType, body, title, detail) => {
    expect(describeErrorBody(400, body, contentType)).toEqual({ title, detail });
  });

  it('reports malformed JSON as an answer it could not understand', async () => {
    sandbox.setFault({ malformed: true, times: 1 });
    expect(await rejection(onsim.porting.get(F.openPortId))).toBeInstanceOf(OnsimResponseError);
  });
});

describe('tolerant parsing of what the docs leave open', () => {
  const port = { trID: 7, number: '447700900001', status: 'INITIAL', updatedDate: 'Jan 2, 2025 1:20:30 PM' };
  const PortList = listOf(Port, ['portQueue', 'port']);
  it.each([
    ['under portQueue', { portQueue: [port] }],
    ['under port', { port: [port] }],
    ['bare', [port]],
  ])('reads a port list %s', (_n, body) => {
    const parsed = PortList.parse(body);
    expect(parsed[0]?.trID).toBe('7');
    expect(parsed[0]?.updatedDate).toBe('Jan 2, 2025 1:20:30 PM');
  });

  it('keeps unknown extra fields', () => {
    const parsed = z.array(Port).parse([{ ...port, carrier: 'EE' }]);
    expect(parsed[0]).toMatchObject({ carrier: 'EE' });
  });

  /** An ONSIM whose every answer is `body`: for shapes the sandbox does not produce. */
  const answering =
    (body: unknown): OnsimHttp =>
    async (req) =>
      req.response.parse(body);

  it('reads null fields of a port as absent instead of refusing the whole port list', async () => {
    const [read] = await listPorts(answering({ port: [{ ...port, PAC: null, validUntil: null }] }));
    expect(read).toMatchObject({ trID: '7', status: 'INITIAL', number: '447700900001' });
    expect(read?.PAC).toBeUndefined();
    expect(read?.validUntil).toBeUndefined();
  });

  it('reads a port list exactly as the Port schema does, under any key it accepts', async () => {
    const ports = [
      { ...port, trID: '8', number: 447700900002, carrier: { name: 'EE' }, portinDate: null },
      { trID: 9, status: 'FAILED' },
      port,
    ];
    const bySchema = z.array(Port).parse(ports);
    for (const body of [ports, { portQueue: ports }, { port: ports }, { data: ports }]) {
      expect(await listPorts(answering(body))).toStrictEqual(bySchema);
    }
  });

  it('refuses a port list with an unreadable port, naming where it is', async () => {
    const body = { port: [port, { trID: 8, status: null }, { ...port, PAC: ['x'] }] };
    await expect(listPorts(answering(body))).rejects.toMatchObject({
      issues: [
        expect.objectContaining({ path: [1, 'status'] }),
        expect.objectContaining({ path: [2, 'PAC'] }),
      ],
    });
  });
});

describe('secrets in logs', () => {
  it('keeps the API key, the SIP password and the eSIM code out of the log of a failing provision', async () => {
    sandbox.setFault({ status: 503, match: { pathPrefix: '/reseller/provision' } });
    await rejection(
      onsim.reseller.provisionOwnPbx({ mpn: F.reservedNumber, pbx_password: 'Sup3r-Secret-99' }),
    );
    sandbox.setFault(null);
    const ok = await onsim.reseller.provisionOwnPbx({
      mpn: '447700900202',
      pbx_password: 'An0ther-Secret-1',
    });
    const out = logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(out).not.toContain(sandbox.apiKey);
    expect(out).not.toContain('Sup3r-Secret-99');
    expect(out).not.toContain('An0ther-Secret-1');
    expect(out).not.toContain(ok.esim_code!);
  });
});

function luhn(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}
