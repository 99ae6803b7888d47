import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/logger.js';
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
import { Port } from '../../src/onsim/porting.js';
import { SANDBOX_FIXTURES as F, type Sandbox, startSandbox } from '../../src/onsim/sandbox/server.js';
import { listOf } from '../../src/onsim/shapes.js';

let sandbox: Sandbox;
let onsim: OnsimClient;
let sleeps: number[];
let logs: string[];

function client(overrides: { apiKey?: string; baseUrl?: string; timeoutMs?: number } = {}): OnsimClient {
  return createOnsimClient({
    baseUrl: overrides.baseUrl ?? sandbox.url,
    apiKey: overrides.apiKey ?? sandbox.apiKey,
    timeoutMs: overrides.timeoutMs ?? 1_500,
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
    const a = await onsim.getAccount('+44 7700 900123');
    expect(a.mpn).toBe(F.installedEsimMpn);
    expect(a.sim).toBe(F.installedEsimIccid);
    expect(a.services.mobile_voice).toMatch(/^(ON|OFF)$/);
    expect(typeof a.bundles.data?.allowance).toBe('number');
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /account/${F.installedEsimMpn}`,
    ]);
  });

  it('2. queries an eSIM by MPN, ICCID or i_account without refreshing it', async () => {
    const byMpn = await onsim.getEsim({ mpn: F.installedEsimMpn });
    const byIccid = await onsim.getEsim({ iccid: F.installedEsimIccid });
    const byAccount = await onsim.getEsim({ i_account: F.installedEsimAccount });
    expect(byMpn.esim_status).toBe('installed');
    expect(byIccid.esim_code).toBe(byMpn.esim_code);
    expect(byAccount.esim_code).toBe(byMpn.esim_code);
    expect(sandbox.requests[0]?.body).toEqual({ mpn: F.installedEsimMpn, refresh_code: 0 });
  });

  it('2. refreshes the code of an eSIM that is not installed yet', async () => {
    const before = await onsim.getEsim({ mpn: F.readyEsimMpn });
    const after = await onsim.refreshEsimCode({ mpn: F.readyEsimMpn });
    expect(after.refresh_code).toBe('esim code refreshed');
    expect(after.esim_code).not.toBe(before.esim_code);
    expect(sandbox.requestsTo('POST', '/account/esim').at(-1)?.body).toEqual({
      mpn: F.readyEsimMpn,
      refresh_code: 1,
    });
  });

  it('3. generates a QR image URL that serves a PNG', async () => {
    const { esim_code } = await onsim.getEsim({ mpn: F.readyEsimMpn });
    const url = await onsim.generateQr(esim_code!);
    const png = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('4. updates the bundle through the path', async () => {
    await onsim.updateBundle('07700 900123', 'UNLIMITED');
    expect(sandbox.requestsTo('POST', '/account/')[0]?.path).toBe(
      `/account/${F.installedEsimMpn}/bundle/UNLIMITED`,
    );
    expect((await onsim.getAccount(F.installedEsimMpn)).bundles.data?.bundle_name).toMatch(/unlimited/i);
  });

  it('5. sends both recording values', async () => {
    await onsim.setRecording(F.installedEsimMpn, { voice_recording: 'ON', sms_recording: 'OFF' });
    expect(sandbox.requestsTo('POST', `/account/${F.installedEsimMpn}/recording`)[0]?.body).toEqual({
      voice_recording: 'ON',
      sms_recording: 'OFF',
    });
  });

  it('6. sends only the mobile settings given', async () => {
    await onsim.updateMobileSettings(F.installedEsimMpn, { mobile_hotspot: 'ON', first_name: 'Ada' });
    expect(sandbox.requestsTo('POST', '/account/pbxinfo/')[0]?.body).toEqual({
      mobile_hotspot: 'ON',
      first_name: 'Ada',
    });
  });

  it('7. ceases by the 19-digit ICCID in a DELETE body, from the printed 20-digit form', async () => {
    const printed = `${F.psimIccid}${luhn(F.psimIccid)}`;
    await onsim.ceaseAccount(printed);
    const req = sandbox.requestsTo('DELETE', '/account')[0];
    expect(req?.body).toEqual({ iccid: F.psimIccid });
    await expect(onsim.getAccount(F.psimMpn)).rejects.toBeInstanceOf(OnsimNotFoundError);
  });

  it('8. provisions with an own PBX, sending only what was given', async () => {
    const res = await onsim.provisionOwnPbx({ mpn: F.reservedNumber });
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
    await onsim.provisionOnsim(input);
    expect(sandbox.requestsTo('POST', '/reseller/provision-onsim')[0]?.body).toEqual(input);
  });

  it('10. lists the catalogue', async () => {
    const c = await onsim.getCatalogue();
    expect(c.products.map((p) => p.id)).toContain(F.productId);
    expect(c.bundles.map((b) => b.sku)).toEqual(expect.arrayContaining(['BASE', 'UNLIMITED']));
  });

  it('11. lists subscribers with filters, always naming the state', async () => {
    const all = await onsim.listSubscribers();
    const recorded = await onsim.listSubscribers({ is_recorded: true, group: F.groupName });
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
    await onsim.addGroup({ name: 'new-group_1', address_line_1: '1 High Street', home_location: 'GBR,USA' });
    const groups = await onsim.listGroups();
    expect(groups.map((g) => g.name)).toContain('new-group_1');
  });

  it('14. lists ports by state, URL-encoding the space of IN PROGRESS', async () => {
    const ports = await onsim.listPorts('IN PROGRESS');
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.every((p) => p.status === 'IN PROGRESS')).toBe(true);
    expect(sandbox.requests[0]?.rawPath).toBe('/port/all/IN%20PROGRESS');
  });

  it('15. looks up one port', async () => {
    const p = await onsim.getPort(F.failedPortId);
    expect(p.trID).toBe(F.failedPortId);
    expect(p.status).toBe('FAILED');
  });

  it('16. lists SIMs by state and type', async () => {
    const esims = await onsim.listSims('RESERVED', 'eSIM');
    expect(esims.map((s) => s.iccid)).toContain(F.reservedEsimIccid);
    expect(sandbox.requests[0]?.path).toBe('/sims/RESERVED/eSIM');
  });

  it('17/18. lists numbers and adds one', async () => {
    await onsim.addNumber('+44 7700 900555');
    const reserved = await onsim.listNumbers('RESERVED');
    expect(reserved.map((n) => n.mpn)).toContain('447700900555');
  });
});

describe('input validation happens before any request', () => {
  const cases: Array<[string, (c: OnsimClient) => Promise<unknown>, string]> = [
    ['a letter in an MPN', (c) => c.getAccount('07700 9OO123'), 'mpn'],
    ['an MPN that is too short', (c) => c.addNumber('12345'), 'mpn'],
    [
      'a printed ICCID with a wrong check digit',
      (c) => c.ceaseAccount(`${F.psimIccid}${(luhn(F.psimIccid) + 1) % 10}`),
      'iccid',
    ],
    ['an ICCID of 12 digits', (c) => c.getEsim({ iccid: '894453010000' }), 'iccid'],
    ['an eSIM query with no identifier', (c) => c.getEsim({}), 'mpn'],
    ['a QR for a code not starting LPA:1', (c) => c.generateQr('XYZ:1$a$b'), 'esim_code'],
    ['a bundle SKU with a space', (c) => c.updateBundle(F.installedEsimMpn, 'TEN GB'), 'bundle'],
    [
      'a recording value other than ON/OFF',
      (c) => c.setRecording(F.installedEsimMpn, { voice_recording: 'MAYBE' as 'ON', sms_recording: 'ON' }),
      'voice_recording',
    ],
    [
      'a settings email without @',
      (c) => c.updateMobileSettings(F.installedEsimMpn, { email: 'john.example.com' }),
      'email',
    ],
    ['settings with nothing to change', (c) => c.updateMobileSettings(F.installedEsimMpn, {}), 'mpn'],
    [
      'a provision with an unknown mobile_data',
      (c) =>
        c.provisionOnsim({
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
        c.provisionOnsim({
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
      (c) => c.provisionOwnPbx({ mpn: F.reservedNumber, pbx_password: 'abc' }),
      'pbx_password',
    ],
    [
      'a group name with a space',
      (c) => c.addGroup({ name: 'acme sales', address_line_1: 'x', home_location: 'GBR' }),
      'name',
    ],
    [
      'a group name without letters',
      (c) => c.addGroup({ name: '12345', address_line_1: 'x', home_location: 'GBR' }),
      'name',
    ],
    [
      'a group home location of FRA',
      (c) => c.addGroup({ name: 'acme', address_line_1: 'x', home_location: 'FRA' as 'GBR' }),
      'home_location',
    ],
    ['an unknown port state', (c) => c.listPorts('DONE' as 'ALL'), 'input'],
    ['an unknown SIM type', (c) => c.listSims('ACTIVE', 'nano' as 'ALL'), 'type'],
    ['an unknown number state', (c) => c.listNumbers('FREE' as 'ACTIVE'), 'input'],
    ['a port id with a slash', (c) => c.getPort('../1'), 'input'],
  ];
  it.each(cases)('rejects %s, naming the field, and sends nothing', async (_name, call, field) => {
    const err = await rejection(call(onsim));
    expect(err).toBeInstanceOf(OnsimInputError);
    expect((err as OnsimInputError).issues.map((i) => i.field)).toContain(field);
    expect((err as OnsimInputError).issues.every((i) => i.message.length > 10)).toBe(true);
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('retries', () => {
  it('retries a read answered 503, then succeeds', async () => {
    sandbox.setFault({ status: 503, times: 2 });
    const groups = await onsim.listGroups();
    expect(groups.length).toBeGreaterThan(0);
    expect(sandbox.requestsTo('GET', '/reseller/groups')).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('retries a read answered 429, waiting as long as Retry-After says', async () => {
    sandbox.setFault({ status: 429, retryAfter: 2, times: 1 });
    await onsim.listNumbers('ACTIVE');
    expect(sandbox.requestsTo('GET', '/numbers/ACTIVE')).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it('retries the subscriber list (a read sent as POST) on 500', async () => {
    sandbox.setFault({ status: 500, times: 1 });
    await onsim.listSubscribers();
    expect(sandbox.requestsTo('POST', '/reseller/subscribers')).toHaveLength(2);
  });

  it('gives up on a read after the bounded attempts with a server error', async () => {
    sandbox.setFault({ status: 502 });
    const err = await rejection(onsim.listGroups());
    expect(err).toBeInstanceOf(OnsimServerError);
    expect(sandbox.requestsTo('GET', '/reseller/groups')).toHaveLength(4);
  });

  it('does not retry a provision answered 503: the outcome is unknown', async () => {
    sandbox.setFault({ status: 503, match: { pathPrefix: '/reseller/provision' } });
    const err = await rejection(onsim.provisionOwnPbx({ mpn: F.reservedNumber }));
    expect(err).toBeInstanceOf(OnsimOutcomeUnknownError);
    expect(sandbox.requestsTo('POST', '/reseller/provision')).toHaveLength(1);
    expect(sleeps).toHaveLength(0);
  });

  it('retries a write answered 429: the gateway refused it before ONSIM saw it', async () => {
    sandbox.setFault({ status: 429, retryAfter: 1, times: 1 });
    await onsim.addNumber('447700900556');
    expect(sandbox.requestsTo('POST', '/numbers/447700900556')).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  it('reports rate limiting once the attempts are used up', async () => {
    sandbox.setFault({ status: 429, retryAfter: 1 });
    const err = await rejection(onsim.addNumber('447700900557'));
    expect(err).toBeInstanceOf(OnsimRateLimitedError);
    expect((err as OnsimRateLimitedError).retryAfterSeconds).toBe(1);
  });

  it('times out a hanging read, retries it, and reports a timeout', async () => {
    const quick = client({ timeoutMs: 200 });
    sandbox.setFault({ hang: true, times: 1 });
    await quick.listGroups();
    expect(sandbox.requestsTo('GET', '/reseller/groups')).toHaveLength(2);
    sandbox.setFault({ hang: true });
    expect(await rejection(quick.listGroups())).toBeInstanceOf(OnsimTimeoutError);
  });

  it('turns a hanging write into outcome unknown without retrying it', async () => {
    const quick = client({ timeoutMs: 200 });
    sandbox.setFault({ hang: true });
    const err = await rejection(quick.ceaseAccount(F.psimIccid));
    expect(err).toBeInstanceOf(OnsimOutcomeUnknownError);
    expect(sandbox.requestsTo('DELETE', '/account')).toHaveLength(1);
  });

  it('reports a refused connection as a connection error', async () => {
    const nowhere = client({ baseUrl: 'http://127.0.0.1:1' });
    expect(await rejection(nowhere.listGroups())).toBeInstanceOf(OnsimConnectionError);
  });
});

describe('errors in words', () => {
  it('reads a 404 problem body as not found', async () => {
    const err = await rejection(onsim.getAccount(F.unknownMpn));
    expect(err).toBeInstanceOf(OnsimNotFoundError);
    expect((err as OnsimApiError).title.length).toBeGreaterThan(0);
  });

  it('reads a wrong API key as unauthorized, without retrying', async () => {
    const wrong = client({ apiKey: 'wrong-key' });
    expect(await rejection(wrong.listGroups())).toBeInstanceOf(OnsimUnauthorizedError);
    expect(sandbox.requests).toHaveLength(1);
  });

  it.each(['problem', 'message', 'error', 'text', 'html'] as const)(
    'pulls a title and detail out of a %s error body',
    async (body) => {
      sandbox.setFault({ status: 400, body });
      const err = await rejection(onsim.listGroups());
      expect(err).toBeInstanceOf(OnsimApiError);
      const e = err as OnsimApiError;
      expect(e.status).toBe(400);
      expect(e.title).toMatch(/./);
      expect(`${e.title} ${e.detail ?? ''}`).not.toMatch(/<html|<body|\{"/i);
    },
  );

  it('reports malformed JSON as an answer it could not understand', async () => {
    sandbox.setFault({ malformed: true, times: 1 });
    expect(await rejection(onsim.getPort(F.openPortId))).toBeInstanceOf(OnsimResponseError);
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
});

describe('secrets in logs', () => {
  it('keeps the API key, the SIP password and the eSIM code out of the log of a failing provision', async () => {
    sandbox.setFault({ status: 503, match: { pathPrefix: '/reseller/provision' } });
    await rejection(onsim.provisionOwnPbx({ mpn: F.reservedNumber, pbx_password: 'Sup3r-Secret-99' }));
    sandbox.setFault(null);
    const ok = await onsim.provisionOwnPbx({ mpn: '447700900202', pbx_password: 'An0ther-Secret-1' });
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
