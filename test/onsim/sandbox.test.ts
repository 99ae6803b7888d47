import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Account, EsimInfo } from '../../src/onsim/account.js';
import { createOnsimClient } from '../../src/onsim/client.js';
import { OnsimNotFoundError } from '../../src/onsim/errors.js';
import { NumberEntry } from '../../src/onsim/numbers.js';
import { Port } from '../../src/onsim/porting.js';
import {
  Catalogue,
  Group,
  type NewGroup,
  type ProvisionOnsim,
  ProvisionResult,
  Subscriber,
} from '../../src/onsim/reseller.js';
import { SEED_COUNTS } from '../../src/onsim/sandbox/seed.js';
import {
  SANDBOX_FIXTURES as F,
  type Fault,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../src/onsim/sandbox/server.js';
import { Sim } from '../../src/onsim/sims.js';
import { waitFor } from '../support/wait.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ esimInstallAfterMs: 0, portAdvanceMs: null });
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

/** Sandboxes started by a test, closed after the file. */
const extra: Sandbox[] = [];
afterAll(() => Promise.all(extra.map((s) => s.close())));
async function another(opts: SandboxOptions): Promise<Sandbox> {
  const s = await startSandbox({ portAdvanceMs: null, esimInstallAfterMs: 0, ...opts });
  extra.push(s);
  return s;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  json: unknown;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  opts: { key?: string | null; on?: Sandbox; signal?: AbortSignal } = {},
): Promise<Answer> {
  const target = opts.on ?? sb;
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? target.apiKey : opts.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${target.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: opts.signal,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const ProblemBody = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  instance: z.string(),
});

/** Asserts a problem+json answer with this status and returns its detail. */
function problemDetail(a: Answer, status: number): string {
  expect(a.status).toBe(status);
  expect(a.headers.get('content-type')).toBe('application/problem+json');
  const p = ProblemBody.parse(a.json);
  expect(p.status).toBe(status);
  return p.detail;
}

const AccountAnswer = z.object({ account: z.array(Account).length(1) });
const accountOf = async (mpn: string) =>
  AccountAnswer.parse((await call('GET', `/account/${mpn}`)).json).account[0]!;
const esimOf = async (query: Record<string, unknown>) =>
  EsimInfo.parse((await call('POST', '/account/esim', query)).json);

const newGroup = {
  name: 'Riverside_Clinic',
  address_line_1: 'Riverside House',
  home_location: 'GBR',
  city: 'Norwich',
  post_code: 'NR1 1AA',
} satisfies NewGroup;
const onsimProvision = {
  mpn: F.reservedNumber,
  group_name: F.groupName,
  home_location: 'GBR',
  first_name: 'Ada',
  last_name: 'Lovelace',
  email: 'ada.lovelace@acmelogistics.example',
  product: F.productId,
  mobile_data: '10GB',
} satisfies ProvisionOnsim;

describe('authentication', () => {
  it('refuses an ONSIM call without a key with a 401 problem', async () => {
    const a = await call('GET', `/account/${F.installedEsimMpn}`, undefined, { key: null });
    expect(problemDetail(a, 401)).toBe('No Authorization Header');
    expect(sb.requests.at(-1)?.authorized).toBe(false);
  });

  it('refuses a wrong key and changes nothing', async () => {
    const a = await call('POST', '/numbers/447700900555', undefined, { key: 'not-the-key' });
    expect(problemDetail(a, 401)).toBe('Authorization Failed');
    expect(sb.state.numbers.has('447700900555')).toBe(false);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const a = await call('GET', '/account/447700900123/nothing-here');
    expect(problemDetail(a, 404)).toMatch(/No route/);
  });
});

describe('account info', () => {
  it('answers the installed-eSIM fixture as a one-element account list', async () => {
    const a = await call('GET', `/account/${F.installedEsimMpn}`);
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({
      account: [
        {
          sim: F.installedEsimIccid,
          i_account: F.installedEsimAccount,
          mpn: F.installedEsimMpn,
          sip_address: `ONSIM${F.installedEsimIccid}@sip.onsim.example`,
          services: { mobile_data: 'ON', mobile_hotspot: 'OFF', mobile_messaging: 'ON', mobile_voice: 'ON' },
          bundles: {
            data: {
              bundle_name: '10GB',
              allowance: 10240,
              unit: 'megabyte',
              period_from: '2026-11-01 00:00:00',
              period_to: '2026-12-01 00:00:00',
            },
          },
          first_name: 'Olivia',
          last_name: 'Bennett',
          group: 'ACME_LOGISTICS',
          voice_recording: 'OFF',
          sms_recording: 'OFF',
        },
      ],
    });
    const data = (await accountOf(F.installedEsimMpn)).bundles.data!;
    expect(data.used! + data.remaining!).toBe(10240);
  });

  it('shows a BASE bundle with no allowance', async () => {
    expect((await accountOf(F.psimMpn)).bundles.data).toMatchObject({ allowance: 0, used: 0, remaining: 0 });
  });

  it('answers 404 for an unknown MPN and 400 for one that is not digits', async () => {
    expect(problemDetail(await call('GET', `/account/${F.unknownMpn}`), 404)).toContain(F.unknownMpn);
    expect(problemDetail(await call('GET', '/account/07700-900123'), 400)).toMatch(/^mpn: /);
  });
});

describe('eSIM code and status', () => {
  it('finds the same eSIM by MPN, ICCID or i_account', async () => {
    const raw = await call('POST', '/account/esim', { mpn: F.installedEsimMpn });
    expect(raw.json).toMatchObject({ esim_status: 'installed', enabled_on_device: 'Y' });
    const byMpn = await esimOf({ mpn: F.installedEsimMpn });
    expect(byMpn).toMatchObject({
      esim_status: 'installed',
      enabled_on_device: 'ON',
      refresh_code: 'esim code not refreshed',
    });
    expect(byMpn.esim_code).toMatch(/^LPA:1\$smdp\.sandbox\.onsim\.example\$[A-Z0-9]{20,}$/);
    expect(await esimOf({ iccid: F.installedEsimIccid })).toEqual(byMpn);
    expect(await esimOf({ i_account: F.installedEsimAccount, mpn: F.installedEsimMpn })).toEqual(byMpn);
  });

  it('issues a new code on refresh of a not-installed eSIM, and the old code stops working', async () => {
    const before = await esimOf({ mpn: F.readyEsimMpn });
    expect(before).toMatchObject({ esim_status: 'ready to install', enabled_on_device: 'OFF' });
    const after = await esimOf({ mpn: F.readyEsimMpn, refresh_code: 1 });
    expect(after.refresh_code).toBe('esim code refreshed');
    expect(after.esim_code).not.toBe(before.esim_code);
    expect((await esimOf({ mpn: F.readyEsimMpn })).esim_code).toBe(after.esim_code);
    problemDetail(await call('POST', '/account/esim/generate', { esim_code: before.esim_code }), 404);
  });

  it('answers error to a refresh of an installed eSIM and keeps its code', async () => {
    const before = await esimOf({ mpn: F.installedEsimMpn });
    const after = await esimOf({ mpn: F.installedEsimMpn, refresh_code: 1 });
    expect(after).toMatchObject({ refresh_code: 'error', esim_code: before.esim_code });
  });

  it('refuses a query naming no SIM, an unknown one, a physical SIM and disagreeing identifiers', async () => {
    expect(problemDetail(await call('POST', '/account/esim', { refresh_code: 0 }), 400)).toMatch(
      /i_account, mpn or iccid/,
    );
    problemDetail(await call('POST', '/account/esim', { mpn: F.unknownMpn }), 404);
    expect(problemDetail(await call('POST', '/account/esim', { mpn: F.psimMpn }), 400)).toMatch(
      /^Not an eSIM/,
    );
    problemDetail(
      await call('POST', '/account/esim', { mpn: F.installedEsimMpn, iccid: F.readyEsimIccid }),
      400,
    );
    expect(
      problemDetail(await call('POST', '/account/esim', { mpn: F.readyEsimMpn, refresh_code: 2 }), 400),
    ).toMatch(/^refresh_code: /);
  });
});

describe('QR images', () => {
  it('answers a presigned-looking URL on the sandbox that serves a PNG of the code', async () => {
    const { esim_code } = await esimOf({ mpn: F.installedEsimMpn });
    const a = await call('POST', '/account/esim/generate', { esim_code });
    expect(a.status).toBe(200);
    const url = z.string().parse(a.json);
    expect(url).toMatch(
      new RegExp(
        `^${sb.url}/qr/[0-9a-f-]{36}\\.png\\?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=86400&X-Amz-Signature=[0-9a-f]{64}$`,
      ),
    );
    const image = await fetch(url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await image.arrayBuffer());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.length).toBeGreaterThan(500);
    expect(sb.requestsTo('GET', '/qr')).toHaveLength(0);
  });

  it('answers 403 like S3 to a tampered signature or an unknown image', async () => {
    const { esim_code } = await esimOf({ mpn: F.installedEsimMpn });
    const url = z.string().parse((await call('POST', '/account/esim/generate', { esim_code })).json);
    const tampered = await fetch(url.replace(/Signature=[0-9a-f]/, 'Signature=x'));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const unknown = await fetch(`${sb.url}/qr/00000000-0000-4000-8000-000000000000.png`);
    expect(unknown.status).toBe(403);
    expect(await unknown.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('refuses a code not starting LPA:1 (400) and a code no eSIM has (404)', async () => {
    expect(
      problemDetail(await call('POST', '/account/esim/generate', { esim_code: 'LPA:2$x$y' }), 400),
    ).toMatch(/^esim_code: /);
    problemDetail(
      await call('POST', '/account/esim/generate', { esim_code: 'LPA:1$smdp.example$NOPE' }),
      404,
    );
  });
});

describe('account changes', () => {
  it('changes the bundle and the account shows it', async () => {
    const a = await call('POST', `/account/${F.installedEsimMpn}/bundle/UNLIMITED`);
    expect(a).toMatchObject({ status: 200, text: 'Bundle Successfully Updated' });
    expect((await accountOf(F.installedEsimMpn)).bundles.data?.bundle_name).toBe('Unlimited');
    await call('POST', `/account/${F.installedEsimMpn}/bundle/BASE`);
    expect((await accountOf(F.installedEsimMpn)).bundles.data).toMatchObject({
      bundle_name: 'No data',
      allowance: 0,
    });
  });

  it('refuses a bundle outside the catalogue (400) and an unknown account (404)', async () => {
    expect(problemDetail(await call('POST', `/account/${F.installedEsimMpn}/bundle/GIGANTIC`), 400)).toMatch(
      /^bundle: .*DATA-10GB/,
    );
    problemDetail(await call('POST', `/account/${F.unknownMpn}/bundle/BASE`), 404);
  });

  it('sets recording and the subscriber list counts the line as recorded', async () => {
    const a = await call('POST', `/account/${F.installedEsimMpn}/recording`, {
      voice_recording: 'ON',
      sms_recording: 'OFF',
    });
    expect(a.status).toBe(200);
    expect(await accountOf(F.installedEsimMpn)).toMatchObject({
      voice_recording: 'ON',
      sms_recording: 'OFF',
    });
    const recorded = z
      .array(Subscriber)
      .parse((await call('POST', '/reseller/subscribers', { is_recorded: true })).json);
    expect(recorded.map((s) => s.mpn)).toContain(F.installedEsimMpn);
  });

  it('needs both recording values, each ON or OFF', async () => {
    const detail = problemDetail(
      await call('POST', `/account/${F.installedEsimMpn}/recording`, { voice_recording: 'on' }),
      400,
    );
    expect(detail).toMatch(/voice_recording: must be ON or OFF/);
    expect(detail).toMatch(/sms_recording: is required/);
  });

  it('updates mobile settings', async () => {
    const a = await call('POST', `/account/pbxinfo/${F.installedEsimMpn}`, {
      first_name: 'Liv',
      email: 'liv@acmelogistics.example',
      mobile_hotspot: 'ON',
      mobile_sms: 'OFF',
      pbx_user: 'USER12345',
    });
    expect(a.status).toBe(200);
    expect(await accountOf(F.installedEsimMpn)).toMatchObject({
      first_name: 'Liv',
      last_name: 'Bennett',
      email: 'liv@acmelogistics.example',
      sip_address: 'USER12345@sip.onsim.example',
      services: { mobile_hotspot: 'ON', mobile_messaging: 'OFF', mobile_data: 'ON' },
    });
  });

  it('moves an account to a new number and releases the old one', async () => {
    expect(
      (await call('POST', `/account/pbxinfo/${F.installedEsimMpn}`, { mpn: F.reservedNumber })).status,
    ).toBe(200);
    expect((await accountOf(F.reservedNumber)).sim).toBe(F.installedEsimIccid);
    problemDetail(await call('GET', `/account/${F.installedEsimMpn}`), 404);
    const active = z.array(NumberEntry).parse((await call('GET', '/numbers/ACTIVE')).json);
    expect(active.find((n) => n.mpn === F.reservedNumber)?.i_account).toBe(F.installedEsimAccount);
    expect(active.map((n) => n.mpn)).not.toContain(F.installedEsimMpn);
  });

  it('refuses a new number already active (409) and a bad email (400)', async () => {
    problemDetail(await call('POST', `/account/pbxinfo/${F.installedEsimMpn}`, { mpn: F.readyEsimMpn }), 409);
    expect(
      problemDetail(await call('POST', `/account/pbxinfo/${F.installedEsimMpn}`, { email: 'olivia' }), 400),
    ).toMatch(/^email: /);
    expect((await accountOf(F.installedEsimMpn)).email).toBe('olivia.bennett@acmelogistics.example');
  });
});

describe('cease', () => {
  it('removes the subscriber, takes the SIM off the active list and releases the number', async () => {
    const a = await call('DELETE', '/account', { iccid: F.installedEsimIccid });
    expect(a).toMatchObject({ status: 200, text: 'Account Successfully Ceased' });
    problemDetail(await call('GET', `/account/${F.installedEsimMpn}`), 404);
    const sims = z.array(Sim).parse((await call('GET', '/sims/ACTIVE/ALL')).json);
    expect(sims.map((s) => s.iccid)).not.toContain(F.installedEsimIccid);
    const numbers = z.array(NumberEntry).parse((await call('GET', '/numbers/ACTIVE')).json);
    expect(numbers.map((n) => n.mpn)).not.toContain(F.installedEsimMpn);
    expect(sb.state.subscribers.size).toBe(SEED_COUNTS.subscribers - 1);
  });

  it('answers 404 to a second cease and 400 to an ICCID that is not 19 digits', async () => {
    await call('DELETE', '/account', { iccid: F.psimIccid });
    problemDetail(await call('DELETE', '/account', { iccid: F.psimIccid }), 404);
    expect(problemDetail(await call('DELETE', '/account', { iccid: '89445301' }), 400)).toMatch(/^iccid: /);
    expect(problemDetail(await call('DELETE', '/account'), 400)).toMatch(/^iccid: is required/);
  });
});

describe('provisioning', () => {
  it('provisions the next reserved eSIM for own PBX and generates a SIP password', async () => {
    const a = await call('POST', '/reseller/provision', { mpn: F.reservedNumber });
    expect(a.status).toBe(201);
    const result = ProvisionResult.parse(a.json);
    expect(result.iccid).toBe(`ONSIM${F.reservedEsimIccid}`);
    expect(result.esim_code).toMatch(/^LPA:1\$/);
    expect(result.pbx_password).toMatch(/^[A-Za-z0-9]{12}$/);

    expect(await accountOf(F.reservedNumber)).toMatchObject({
      sim: F.reservedEsimIccid,
      sip_address: `ONSIM${F.reservedEsimIccid}@sip.onsim.example`,
    });
    expect(await esimOf({ mpn: F.reservedNumber })).toMatchObject({
      esim_code: result.esim_code,
      esim_status: 'ready to install',
    });
    const sims = z.array(Sim).parse((await call('GET', '/sims/ACTIVE/eSIM')).json);
    expect(sims.find((s) => s.iccid === F.reservedEsimIccid)?.mpn).toBe(F.reservedNumber);
    const reserved = z.array(NumberEntry).parse((await call('GET', '/numbers/RESERVED')).json);
    expect(reserved.map((n) => n.mpn)).not.toContain(F.reservedNumber);
  });

  it('provisions a named physical SIM with the given SIP credentials and no eSIM code', async () => {
    const a = await call('POST', '/reseller/provision', {
      mpn: '447700900555',
      iccid: F.reservedPsimIccid,
      pbx_user: 'USER12345',
      pbx_password: '1a2B3c4D5e',
    });
    expect(a.status).toBe(201);
    expect(a.json).toEqual({ iccid: `ONSIM${F.reservedPsimIccid}`, pbx_password: '1a2B3c4D5e' });
  });

  it('refuses an active number, an unknown SIM, a SIM in use and a missing mpn', async () => {
    expect(
      problemDetail(await call('POST', '/reseller/provision', { mpn: F.installedEsimMpn }), 409),
    ).toMatch(/^mpn: /);
    problemDetail(
      await call('POST', '/reseller/provision', { mpn: '447700900555', iccid: '8944530100000009999' }),
      404,
    );
    problemDetail(
      await call('POST', '/reseller/provision', { mpn: '447700900555', iccid: F.psimIccid }),
      409,
    );
    expect(
      problemDetail(await call('POST', '/reseller/provision', { iccid: F.reservedPsimIccid }), 400),
    ).toMatch(/^mpn: is required/);
  });

  it('answers 409 once no reserved eSIM is left', async () => {
    for (let i = 0; i < SEED_COUNTS.reservedEsims; i++) {
      expect(
        (await call('POST', '/reseller/provision', { mpn: `4477009004${String(i).padStart(2, '0')}` }))
          .status,
      ).toBe(201);
    }
    expect(problemDetail(await call('POST', '/reseller/provision', { mpn: '447700900499' }), 409)).toMatch(
      /No RESERVED eSIM/,
    );
  });

  it('provisions an ONSIM UC line into a group with the chosen data bundle', async () => {
    const a = await call('POST', '/reseller/provision-onsim', onsimProvision);
    expect(a.status).toBe(201);
    expect(await accountOf(F.reservedNumber)).toMatchObject({
      first_name: 'Ada',
      group: F.groupName,
      bundles: { data: { bundle_name: '10GB', allowance: 10240, used: 0 } },
    });
    const inGroup = z
      .array(Subscriber)
      .parse((await call('POST', '/reseller/subscribers', { group: 'acme_logistics' })).json);
    expect(inGroup.find((s) => s.mpn === F.reservedNumber)).toMatchObject({
      bundle: 'DATA-10GB',
      sim_type: 'eSIM',
    });
  });

  it('names each bad field of an ONSIM UC provision', async () => {
    const detail = problemDetail(
      await call('POST', '/reseller/provision-onsim', {
        ...onsimProvision,
        email: 'ada@',
        home_location: 'DEU',
        mobile_data: '5GB',
        product: '18',
      }),
      400,
    );
    for (const field of ['email', 'home_location', 'mobile_data', 'product'])
      expect(detail).toContain(`${field}: `);
    expect(
      problemDetail(await call('POST', '/reseller/provision-onsim', { ...onsimProvision, product: 99 }), 400),
    ).toMatch(/^product: /);
    expect(
      problemDetail(
        await call('POST', '/reseller/provision-onsim', { ...onsimProvision, group_name: 'NOPE' }),
        400,
      ),
    ).toMatch(/^group_name: /);
    expect(sb.state.subscribers.size).toBe(SEED_COUNTS.subscribers);
  });

  it('installs a provisioned eSIM after esimInstallAfterMs', async () => {
    const quick = await another({ esimInstallAfterMs: 30 });
    await call('POST', '/reseller/provision', { mpn: F.reservedNumber }, { on: quick });
    expect(quick.state.sims.get(F.reservedEsimIccid)?.esim?.status).toBe('ready to install');
    await waitFor(() => quick.state.sims.get(F.reservedEsimIccid)?.esim?.status === 'installed', {
      what: 'the eSIM to be installed',
    });
  });

  it('installs every waiting eSIM on demand, directly or through /__admin', async () => {
    await call('POST', '/reseller/provision', { mpn: F.reservedNumber });
    sb.installEsims();
    expect(await esimOf({ mpn: F.reservedNumber })).toMatchObject({
      esim_status: 'installed',
      enabled_on_device: 'ON',
    });
    expect((await esimOf({ mpn: F.readyEsimMpn })).esim_status).toBe('installed');

    sb.reset();
    expect((await fetch(`${sb.url}/__admin/esims/install`, { method: 'POST' })).status).toBe(204);
    expect((await esimOf({ mpn: F.readyEsimMpn })).esim_status).toBe('installed');
  });
});

describe('catalogue, subscribers and groups', () => {
  it('lists products and bundles, BASE and UNLIMITED among them', async () => {
    const a = await call('GET', '/reseller/catalogue');
    expect(a.json).toMatchObject({
      catalogue: {
        products: expect.arrayContaining([
          { id: 18, name: 'ONSIM UC Standard', description: expect.any(String) },
        ]),
      },
    });
    const catalogue = Catalogue.parse(a.json);
    expect(catalogue.products.length).toBeGreaterThanOrEqual(4);
    expect(catalogue.bundles.map((b) => b.sku)).toEqual(
      expect.arrayContaining(['BASE', 'UNLIMITED', 'DATA-10GB']),
    );
  });

  it('lists every subscriber, filtered by group and by recording', async () => {
    const all = z
      .array(Subscriber)
      .parse((await call('POST', '/reseller/subscribers', { state: 'PROVISIONED' })).json);
    expect(all).toHaveLength(SEED_COUNTS.subscribers);
    expect(all.find((s) => s.mpn === F.psimMpn)).toMatchObject({
      sim_type: 'pSIM',
      bundle: 'BASE',
      is_recorded: false,
    });
    const kestrel = z
      .array(Subscriber)
      .parse((await call('POST', '/reseller/subscribers', { group: 'Kestrel-Finance' })).json);
    expect(kestrel.length).toBeGreaterThan(0);
    expect(kestrel.every((s) => s.group === 'Kestrel-Finance' && s.is_recorded === true)).toBe(true);
    const unrecorded = z
      .array(Subscriber)
      .parse((await call('POST', '/reseller/subscribers', { is_recorded: false })).json);
    expect(unrecorded.every((s) => s.is_recorded === false)).toBe(true);
    expect(unrecorded.length).toBeLessThan(all.length);
  });

  it('refuses a subscriber state other than PROVISIONED', async () => {
    expect(problemDetail(await call('POST', '/reseller/subscribers', { state: 'CEASED' }), 400)).toMatch(
      /^state: /,
    );
  });

  it('adds a group, which is then listed', async () => {
    const a = await call('POST', '/reseller/groups', newGroup);
    expect(a).toMatchObject({ status: 200, text: 'New Group Successfully Added' });
    const groups = z.array(Group).parse((await call('GET', '/reseller/groups')).json);
    expect(groups).toHaveLength(7);
    expect(groups.at(-1)).toMatchObject({
      name: 'Riverside_Clinic',
      address_line_1: 'Riverside House',
      city: 'Norwich',
      home_location: 'GBR',
    });
  });

  it('refuses a duplicate group name whatever its case (409)', async () => {
    expect(
      problemDetail(await call('POST', '/reseller/groups', { ...newGroup, name: 'acme_logistics' }), 409),
    ).toMatch(/^name: /);
  });

  it.each([
    ['too short', 'ab'],
    ['starting with an underscore', '_abc'],
    ['without a letter', '12345'],
    ['with a space', 'Acme Sales'],
    ['longer than 45 characters', `A${'b'.repeat(45)}`],
  ])('refuses a group name %s', async (_, name) => {
    expect(problemDetail(await call('POST', '/reseller/groups', { ...newGroup, name }), 400)).toMatch(
      /^name: /,
    );
  });

  it('needs address_line_1 and a home location of GBR, USA or GBR,USA', async () => {
    const detail = problemDetail(
      await call('POST', '/reseller/groups', { name: 'NewCo', home_location: 'FRA' }),
      400,
    );
    expect(detail).toMatch(/address_line_1: is required/);
    expect(detail).toMatch(/home_location: /);
    expect((await call('POST', '/reseller/groups', { ...newGroup, home_location: 'GBR,USA' })).status).toBe(
      200,
    );
  });
});

describe('porting', () => {
  it('lists ports in every state, with the state URL-encoded', async () => {
    const all = z.object({ port: z.array(Port) }).parse((await call('GET', '/port/all/ALL')).json).port;
    const total = Object.values(SEED_COUNTS.portsPerState).reduce((a, b) => a + b, 0);
    expect(all).toHaveLength(total);
    for (const state of ['INITIAL', 'IN PROGRESS', 'COMPLETE', 'FAILED', 'CLOSED']) {
      const list = z
        .object({ port: z.array(Port) })
        .parse((await call('GET', `/port/all/${encodeURIComponent(state)}`)).json).port;
      expect(list.length).toBeGreaterThanOrEqual(2);
      expect(list.every((p) => p.status === state)).toBe(true);
    }
    expect(sb.requestsTo('GET', '/port/all/IN PROGRESS')[0]?.rawPath).toBe('/port/all/IN%20PROGRESS');
  });

  it('refuses an unknown port state', async () => {
    expect(problemDetail(await call('GET', '/port/all/DONE'), 400)).toMatch(/^state: /);
  });

  it('looks a port up as a bare object in the documented shape', async () => {
    const a = await call('GET', `/port/${F.openPortId}`);
    const port = Port.parse(a.json);
    expect(port).toMatchObject({ trID: F.openPortId, status: 'INITIAL', type: 'PORT-IN' });
    expect(port.PAC).toMatch(/^[A-Z]{3}\d{6}$/);
    expect(port.orderDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(port.updatedDate).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/);
    problemDetail(await call('GET', '/port/999999'), 404);
  });

  it('advances open ports one step at a time and leaves settled ones alone', async () => {
    const changed = sb.advancePorts();
    expect(changed.map((p) => p.trID)).toContain(F.openPortId);
    expect(sb.state.ports.get(F.openPortId)?.status).toBe('IN PROGRESS');
    expect(['COMPLETE', 'FAILED']).toContain(sb.state.ports.get(F.inProgressPortId)?.status);
    expect(sb.state.ports.get(F.closedPortId)?.status).toBe('CLOSED');
    sb.advancePorts();
    expect(['COMPLETE', 'FAILED']).toContain(sb.state.ports.get(F.openPortId)?.status);
    expect(sb.advancePorts()).toEqual([]);
  });

  it('completes about three in four ports and fails the rest', async () => {
    const ids = Array.from({ length: 400 }, () => sb.addPort({ status: 'IN PROGRESS' }).trID);
    sb.advancePorts();
    const complete = ids.filter((id) => sb.state.ports.get(id)?.status === 'COMPLETE').length;
    expect(ids.every((id) => ['COMPLETE', 'FAILED'].includes(sb.state.ports.get(id)?.status ?? ''))).toBe(
      true,
    );
    expect(complete / ids.length).toBeGreaterThan(0.65);
    expect(complete / ids.length).toBeLessThan(0.85);
  });

  it('advances ports on its own every portAdvanceMs', async () => {
    const ticking = await another({ portAdvanceMs: 20 });
    await waitFor(() => ticking.state.ports.get(F.openPortId)?.status !== 'INITIAL', {
      what: 'the port to advance',
    });
  });

  it('creates, advances, sets and removes ports through /__admin', async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      call(method, `/__admin${path}`, body, { key: null });
    const created = await admin('POST', '/ports', { portinNumber: '447700900777' });
    expect(created.status).toBe(201);
    const port = Port.parse(created.json);
    expect(port).toMatchObject({ status: 'INITIAL', portinNumber: '447700900777', type: 'PORT-IN' });
    expect(port.PAC).toMatch(/^[A-Z]{3}\d{6}$/);
    expect(Port.parse((await call('GET', `/port/${port.trID}`)).json).trID).toBe(port.trID);

    const advanced = z.array(Port).parse((await admin('POST', '/ports/advance')).json);
    expect(advanced.find((p) => p.trID === port.trID)?.status).toBe('IN PROGRESS');
    expect((await admin('POST', `/ports/${port.trID}/status`, { status: 'CLOSED' })).json).toMatchObject({
      status: 'CLOSED',
    });
    problemDetail(await admin('POST', `/ports/${port.trID}/status`, { status: 'DONE' }), 400);
    expect((await admin('DELETE', `/ports/${port.trID}`)).status).toBe(204);
    problemDetail(await call('GET', `/port/${port.trID}`), 404);
    problemDetail(await admin('DELETE', `/ports/${port.trID}`), 404);
    expect(sb.requests.some((r) => r.path.startsWith('/__admin'))).toBe(false);
  });

  it('bulk-seeds 100,000 ports in mixed states', async () => {
    sb.seedPorts(100_000);
    expect(sb.state.ports.size).toBeGreaterThan(100_000);
    const statuses = new Set([...sb.state.ports.values()].map((p) => p.status));
    expect(statuses.size).toBe(5);
    const initial = z
      .object({ port: z.array(Port) })
      .parse((await call('GET', '/port/all/INITIAL')).json).port;
    expect(initial.length).toBeGreaterThan(1000);
  });
});

describe('SIMs and numbers', () => {
  it('lists active SIMs with their MPN, reserved ones without', async () => {
    const active = z.array(Sim).parse((await call('GET', '/sims/ACTIVE/ALL')).json);
    expect(active).toHaveLength(SEED_COUNTS.subscribers);
    expect(active.every((s) => /^8944\d{15}$/.test(s.iccid) && s.state === 'ACTIVE' && s.mpn)).toBe(true);
    const esims = active.filter((s) => s.type === 'eSIM').length;
    expect(esims / active.length).toBeGreaterThan(0.5);
    const reservedEsims = z.array(Sim).parse((await call('GET', '/sims/RESERVED/eSIM')).json);
    expect(reservedEsims).toHaveLength(SEED_COUNTS.reservedEsims);
    expect(reservedEsims[0]).toEqual({ iccid: F.reservedEsimIccid, type: 'eSIM', state: 'RESERVED' });
    expect(z.array(Sim).parse((await call('GET', '/sims/RESERVED/pSIM')).json)).toHaveLength(
      SEED_COUNTS.reservedPsims,
    );
  });

  it('refuses unknown SIM states and types', async () => {
    expect(problemDetail(await call('GET', '/sims/active/ALL'), 400)).toMatch(/^state: /);
    expect(problemDetail(await call('GET', '/sims/ACTIVE/xSIM'), 400)).toMatch(/^type: /);
  });

  it('lists numbers by state and adds a reserved one', async () => {
    const active = z.array(NumberEntry).parse((await call('GET', '/numbers/ACTIVE')).json);
    expect(active).toHaveLength(SEED_COUNTS.subscribers);
    expect(active.find((n) => n.mpn === F.installedEsimMpn)?.i_account).toBe(F.installedEsimAccount);
    expect((await call('POST', '/numbers/447700900556')).text).toBe('Number added');
    const reserved = z.array(NumberEntry).parse((await call('GET', '/numbers/RESERVED')).json);
    expect(reserved).toHaveLength(SEED_COUNTS.reservedNumbers + 1);
    expect(reserved.at(-1)).toEqual({ mpn: '447700900556', state: 'RESERVED' });
  });

  it('refuses to add a number that exists (409) or is not digits (400)', async () => {
    expect((await call('POST', '/numbers/447700900556')).status).toBe(201);
    problemDetail(await call('POST', '/numbers/447700900556'), 409);
    problemDetail(await call('POST', `/numbers/${F.installedEsimMpn}`), 409);
    problemDetail(await call('POST', '/numbers/+447700900557'), 400);
    problemDetail(await call('GET', '/numbers/FREE'), 400);
  });
});

describe('faults', () => {
  it('answers 429 with Retry-After, and a fault with times: 1 clears itself', async () => {
    sb.setFault({ status: 429, retryAfter: 7, times: 1 });
    const limited = await call('GET', '/reseller/groups');
    problemDetail(limited, 429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await call('GET', '/reseller/groups')).status).toBe(200);
  });

  it('answers 503 to every call until cleared, through /__admin too', async () => {
    await call('POST', '/__admin/fault', { status: 503 }, { key: null });
    problemDetail(await call('GET', '/reseller/groups'), 503);
    problemDetail(await call('GET', '/reseller/catalogue'), 503);
    await call('POST', '/__admin/fault', null, { key: null });
    expect((await call('GET', '/reseller/groups')).status).toBe(200);
  });

  it.each([
    ['html', 'text/html; charset=utf-8', /<title>500 Internal Server Error<\/title>/],
    ['text', 'text/plain; charset=utf-8', /^Internal Server Error$/],
    ['message', 'application/json; charset=utf-8', /^\{"message":/],
    ['error', 'application/json; charset=utf-8', /^\{"error":"Internal Server Error"\}$/],
  ] as const)('writes a %s error body when asked', async (body, contentType, expected) => {
    sb.setFault({ status: 500, body, times: 1 });
    const a = await call('GET', '/reseller/groups');
    expect(a.status).toBe(500);
    expect(a.headers.get('content-type')).toBe(contentType);
    expect(a.text).toMatch(expected);
  });

  it('answers 200 with broken JSON when malformed', async () => {
    sb.setFault({ malformed: true, times: 1 });
    const a = await call('GET', `/port/${F.openPortId}`);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/json');
    expect(() => JSON.parse(a.text)).toThrow(SyntaxError);
  });

  it('never answers a hanging call, and close releases it', async () => {
    const hanging = await another({});
    hanging.setFault({ hang: true, match: { pathPrefix: '/reseller' } });
    const gaveUp = call('GET', '/reseller/groups', undefined, {
      on: hanging,
      signal: AbortSignal.timeout(150),
    });
    await expect(gaveUp).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await call('GET', `/port/${F.openPortId}`, undefined, { on: hanging })).status).toBe(200);
    const stuck = call('GET', '/reseller/catalogue', undefined, { on: hanging });
    await waitFor(() => hanging.requestsTo('GET', '/reseller/catalogue').length === 1, {
      what: 'the call to arrive',
    });
    await hanging.close();
    await expect(stuck).rejects.toThrow();
  });

  it('only faults calls that match its method and path prefix', async () => {
    sb.setFault({ status: 503, match: { method: 'POST', pathPrefix: '/reseller/provision' } });
    expect((await call('GET', '/reseller/catalogue')).status).toBe(200);
    expect((await call('POST', '/reseller/subscribers', {})).status).toBe(200);
    problemDetail(await call('POST', '/reseller/provision', { mpn: F.reservedNumber }), 503);
    expect(sb.state.numbers.get(F.reservedNumber)?.state).toBe('RESERVED');
  });

  it('can apply a write and then lose its answer', async () => {
    sb.setFault({ status: 503, afterEffect: true, times: 1 });
    problemDetail(await call('DELETE', '/account', { iccid: F.psimIccid }), 503);
    problemDetail(await call('GET', `/account/${F.psimMpn}`), 404);
  });

  /** Starts the call and tells whether it has been answered yet. */
  function watched(answer: Promise<Answer>): { answered: () => boolean; answer: Promise<Answer> } {
    let done = false;
    return { answered: () => done, answer: answer.finally(() => (done = true)) };
  }

  it('delays answers by the latency (/__admin, asked meanwhile, answers first), and faults never touch /__admin or /qr', async () => {
    sb.setLatency(300);
    const slow = watched(call('GET', '/reseller/groups'));
    await waitFor(() => sb.requests.length === 1, { what: 'the call to arrive' });
    expect((await fetch(`${sb.url}/__admin/requests`)).status).toBe(200);
    expect(slow.answered()).toBe(false);
    expect((await slow.answer).status).toBe(200);
    sb.setLatency(0);

    const { esim_code } = await esimOf({ mpn: F.installedEsimMpn });
    const url = z.string().parse((await call('POST', '/account/esim/generate', { esim_code })).json);
    sb.setFault({ status: 500 } satisfies Fault);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(`${sb.url}/__admin/requests`)).status).toBe(200);
  });
});

describe('open requests', () => {
  it('keeps nothing of calls whose clients gave up, nor of slow calls in flight together (no listener piles up)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const s = await another({});
      s.setFault({ hang: true });
      for (let i = 1; i <= 20; i++) {
        const gaveUp = new AbortController();
        const pending = call('GET', '/reseller/groups', undefined, { on: s, signal: gaveUp.signal });
        await waitFor(() => s.requests.length === i, { what: `hanging call ${i} to arrive` });
        gaveUp.abort();
        await expect(pending).rejects.toThrow();
      }
      s.setFault(null);
      s.setLatency(50);
      const slow = Array.from({ length: 20 }, () => call('GET', '/reseller/groups', undefined, { on: s }));
      expect((await Promise.all(slow)).map((a) => a.status)).toEqual(Array(20).fill(200));
      // Node emits the warning on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map(String)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('holding the answers', () => {
  it('answers nothing until released (requests are still recorded, /__admin still answers), then everything', async () => {
    const release = sb.hold();
    let answered = 0;
    const held = [call('GET', '/reseller/groups'), call('GET', `/account/${F.installedEsimMpn}`)].map((p) =>
      p.finally(() => {
        answered += 1;
      }),
    );
    await waitFor(() => sb.requests.length === 2, { what: 'both calls to arrive' });
    expect((await fetch(`${sb.url}/__admin/requests`)).status).toBe(200);
    expect(answered).toBe(0);
    release();
    expect((await Promise.all(held)).map((a) => a.status)).toEqual([200, 200]);
  });

  it('releases held calls on reset', async () => {
    sb.hold();
    const held = call('GET', '/reseller/groups');
    await waitFor(() => sb.requests.length === 1, { what: 'the call to arrive' });
    sb.reset();
    expect((await held).status).toBe(200);
  });
});

describe('recorded requests and reset', () => {
  it('records each ONSIM call with its decoded path, body and authorisation', async () => {
    await call('POST', `/account/${F.installedEsimMpn}/recording`, {
      voice_recording: 'ON',
      sms_recording: 'ON',
    });
    await call('GET', '/port/all/IN%20PROGRESS');
    await call('GET', '/reseller/groups', undefined, { key: 'wrong' });
    expect(sb.requests.map((r) => [r.method, r.path, r.authorized])).toEqual([
      ['POST', `/account/${F.installedEsimMpn}/recording`, true],
      ['GET', '/port/all/IN PROGRESS', true],
      ['GET', '/reseller/groups', false],
    ]);
    expect(sb.requests[0]?.body).toEqual({ voice_recording: 'ON', sms_recording: 'ON' });
    expect(sb.requestsTo('get', '/port/')).toHaveLength(1);
    const viaAdmin = await fetch(`${sb.url}/__admin/requests`);
    expect(z.array(z.object({ path: z.string() })).parse(await viaAdmin.json())).toHaveLength(3);
  });

  it('keeps only the most recent requests, oldest dropped first', async () => {
    const small = await startSandbox({ requestLogLimit: 3, portAdvanceMs: null });
    try {
      for (let i = 1; i <= 5; i++)
        await fetch(`${small.url}/account/4477009000${i}0`, {
          headers: { authorization: 'Bearer sandbox-key' },
        });
      expect(small.requests.map((r) => r.path)).toEqual([
        '/account/447700900030',
        '/account/447700900040',
        '/account/447700900050',
      ]);
      const viaAdmin = await fetch(`${small.url}/__admin/requests`);
      expect(z.array(z.object({ path: z.string() })).parse(await viaAdmin.json())).toHaveLength(3);
      // The count is not capped: a test can count calls past the log's limit.
      expect(small.requestCount).toBe(5);
      small.reset();
      expect([small.requests.length, small.requestCount]).toEqual([0, 0]);
    } finally {
      await small.close();
    }
  });

  it('goes back to the seed data, with faults and requests cleared', async () => {
    const before = JSON.stringify((await call('POST', '/reseller/subscribers', {})).json);
    await call('DELETE', '/account', { iccid: F.installedEsimIccid });
    await call('POST', '/reseller/groups', newGroup);
    sb.advancePorts();
    sb.setFault({ status: 503 });
    expect((await fetch(`${sb.url}/__admin/reset`, { method: 'POST' })).status).toBe(204);
    expect(sb.requests).toHaveLength(0);
    expect(JSON.stringify((await call('POST', '/reseller/subscribers', {})).json)).toBe(before);
    expect(sb.state.groups).toHaveLength(6);
    expect(sb.state.ports.get(F.openPortId)?.status).toBe('INITIAL');
  });

  it('builds the same data from the same seed, and keeps the fixtures for any seed', async () => {
    const twin = await another({ seed: 42 });
    const other = await another({ seed: 7 });
    const list = async (on: Sandbox) => (await call('POST', '/reseller/subscribers', {}, { on })).json;
    expect(await list(twin)).toEqual(await list(sb));
    expect(await list(other)).not.toEqual(await list(sb));
    for (const s of [sb, other]) {
      const sims = s.state.sims;
      expect(sims.get(F.installedEsimIccid)?.esim?.status).toBe('installed');
      expect(sims.get(F.readyEsimIccid)?.esim?.status).toBe('ready to install');
      expect(sims.get(F.psimIccid)?.type).toBe('pSIM');
      expect(sims.get(F.reservedEsimIccid)).toMatchObject({ type: 'eSIM', state: 'RESERVED' });
      expect(sims.get(F.reservedPsimIccid)).toMatchObject({ type: 'pSIM', state: 'RESERVED' });
      expect(s.state.numbers.get(F.reservedNumber)?.state).toBe('RESERVED');
      expect(s.state.numbers.has(F.unknownMpn)).toBe(false);
      expect(s.state.subscribers.get(F.installedEsimAccount)?.mpn).toBe(F.installedEsimMpn);
      const recorded = [...s.state.subscribers.values()].find((x) => x.mpn === F.recordedMpn);
      expect(recorded).toMatchObject({ voiceRecording: 'ON', smsRecording: 'ON' });
      const status = (id: string) => s.state.ports.get(id)?.status;
      expect(
        [F.openPortId, F.inProgressPortId, F.completePortId, F.failedPortId, F.closedPortId].map(status),
      ).toEqual(['INITIAL', 'IN PROGRESS', 'COMPLETE', 'FAILED', 'CLOSED']);
    }
  });
});

describe('the bot client against the sandbox', () => {
  it('parses every answer of the 18 operations', async () => {
    const onsim = createOnsimClient({
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      logger: pino({ level: 'silent' }),
    });
    expect((await onsim.account.get(F.installedEsimMpn)).sim).toBe(F.installedEsimIccid);
    const code = (await onsim.account.getEsim({ mpn: F.readyEsimMpn })).esim_code!;
    expect((await onsim.account.refreshEsimCode({ mpn: F.readyEsimMpn })).esim_code).not.toBe(code);
    expect(
      await onsim.account.generateQr(
        (await onsim.account.getEsim({ iccid: F.installedEsimIccid })).esim_code!,
      ),
    ).toMatch(/^http:/);
    expect(await onsim.account.updateBundle(F.installedEsimMpn, 'DATA-20GB')).toBe(
      'Bundle Successfully Updated',
    );
    await onsim.account.setRecording(F.installedEsimMpn, { voice_recording: 'ON', sms_recording: 'ON' });
    await onsim.account.updateMobileSettings(F.installedEsimMpn, { mobile_hotspot: 'ON' });
    expect(await onsim.account.cease(F.psimIccid)).toBe('Account Successfully Ceased');
    expect((await onsim.reseller.provisionOwnPbx({ mpn: F.reservedNumber })).iccid).toBe(
      `ONSIM${F.reservedEsimIccid}`,
    );
    expect(
      (
        await onsim.reseller.provisionOnsim({
          ...onsimProvision,
          mpn: '447700900202',
          mobile_data: 'UNLIMITED',
        })
      ).pbx_password,
    ).toBeTruthy();
    expect((await onsim.reseller.getCatalogue()).products.map((p) => p.id)).toContain(F.productId);
    expect(await onsim.reseller.listSubscribers({ is_recorded: true })).not.toHaveLength(0);
    expect(await onsim.reseller.addGroup(newGroup)).toBe('New Group Successfully Added');
    expect((await onsim.reseller.listGroups()).map((g) => g.name)).toContain(newGroup.name);
    for (const state of ['ALL', 'INITIAL', 'IN PROGRESS', 'FAILED', 'COMPLETE', 'CLOSED'] as const) {
      expect(await onsim.porting.list(state)).not.toHaveLength(0);
    }
    expect((await onsim.porting.get(F.completePortId)).status).toBe('COMPLETE');
    for (const state of ['ACTIVE', 'RESERVED'] as const) {
      for (const type of ['ALL', 'eSIM', 'pSIM'] as const)
        expect(await onsim.sims.list(state, type)).not.toHaveLength(0);
      expect(await onsim.numbers.list(state)).not.toHaveLength(0);
    }
    expect(await onsim.numbers.add('447700900558')).toBe('Number added');
    await expect(onsim.account.get(F.unknownMpn)).rejects.toBeInstanceOf(OnsimNotFoundError);
    expect(sb.requests.every((r) => r.authorized)).toBe(true);
  });
});
