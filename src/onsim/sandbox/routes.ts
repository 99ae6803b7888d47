// The 18 ONSIM operations over the in-memory state, plus the S3-like QR image host.
import { createHmac, randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { z } from 'zod';
import {
  badRequest,
  conflict,
  json,
  notFound,
  parseBody,
  type Reply,
  type Route,
  route,
  text,
} from './reply.js';
import {
  GROUP_HOME_LOCATIONS,
  HOME_LOCATIONS,
  isRecorded,
  MOBILE_DATA_BUNDLES,
  newEsimCode,
  newPbxPassword,
  type OnOff,
  PORT_STATUSES,
  type Rng,
  type SandboxState,
  SIP_DOMAIN,
  type Sim,
  type Subscriber,
  subscriberByMpn,
} from './state.js';

export interface OnsimContext {
  /** The current state (replaced on reset). */
  readonly state: SandboxState;
  readonly rng: Rng;
  /** The sandbox's base URL, for QR image links. */
  readonly url: string;
  /** Signs QR image URLs. */
  readonly qrKey: Buffer;
  /** Called when an eSIM is provisioned, to schedule its installation. */
  esimProvisioned(iccid: string): void;
}

// ---- Field rules ---------------------------------------------------------------------------

/** zod's type error, saying "is required" when the field is missing. */
const fieldError = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : what),
});

const MPN_RULE = 'must be 8 to 15 digits in E.164 without "+", e.g. 447700900123';
const ICCID_RULE = 'must be the 19-digit ICCID (the printed one without its last digit)';
const Mpn = z.string(fieldError(MPN_RULE)).regex(/^\d{8,15}$/, MPN_RULE);
const Iccid = z.string(fieldError(ICCID_RULE)).regex(/^\d{19}$/, ICCID_RULE);
const OnOffField = z.enum(['ON', 'OFF'], fieldError('must be ON or OFF'));
const Name = z
  .string(fieldError('must be a string'))
  .trim()
  .min(1, 'must not be empty')
  .max(50, 'is at most 50 characters');
const Email = z.email(fieldError('must be an email address, e.g. j.smith@example.com'));
const PbxUser = z
  .string(fieldError('must be a string'))
  .regex(/^\S{3,64}$/, 'must be 3 to 64 characters without spaces');
const PbxPassword = z
  .string(fieldError('must be a string'))
  .min(8, 'is at least 8 characters')
  .max(64, 'is at most 64 characters');
const OptionalText = (max: number) =>
  z.string(fieldError('must be a string')).max(max, `is at most ${max} characters`).optional();

function checkMpn(mpn: string): string {
  if (!/^\d{8,15}$/.test(mpn)) throw badRequest(`mpn: ${MPN_RULE}`);
  return mpn;
}

function accountFor(state: SandboxState, mpn: string): Subscriber {
  const sub = subscriberByMpn(state, checkMpn(mpn));
  if (!sub) throw notFound(`No account with MPN ${mpn}.`);
  return sub;
}

// ---- Wire shapes ---------------------------------------------------------------------------

function accountJson(state: SandboxState, s: Subscriber) {
  const bundle = state.catalogue.bundles.find((b) => b.sku === s.bundle);
  const allowance = bundle?.allowanceMb ?? 0;
  const used = allowance === 0 ? 0 : s.dataUsedMb;
  return {
    sim: s.iccid,
    i_account: s.iAccount,
    mpn: s.mpn,
    sip_address: `${s.pbxUser}@${SIP_DOMAIN}`,
    services: {
      mobile_data: s.services.mobileData,
      mobile_hotspot: s.services.mobileHotspot,
      mobile_messaging: s.services.mobileMessaging,
      mobile_voice: s.services.mobileVoice,
    },
    bundles: {
      data: {
        bundle_name: bundle?.name ?? s.bundle,
        allowance,
        used,
        remaining: Math.max(0, allowance - used),
        unit: 'megabyte',
        period_from: state.bundlePeriod.from,
        period_to: state.bundlePeriod.to,
      },
    },
    first_name: s.firstName,
    last_name: s.lastName,
    email: s.email,
    group: s.group,
    voice_recording: s.voiceRecording,
    sms_recording: s.smsRecording,
  };
}

function subscriberJson(state: SandboxState, s: Subscriber) {
  return {
    i_account: s.iAccount,
    mpn: s.mpn,
    iccid: s.iccid,
    first_name: s.firstName,
    last_name: s.lastName,
    email: s.email,
    group: s.group,
    state: s.state,
    is_recorded: isRecorded(s),
    bundle: s.bundle,
    sim_type: state.sims.get(s.iccid)?.type ?? 'eSIM',
  };
}

// ---- Account -------------------------------------------------------------------------------

const EsimRequest = z.object({
  i_account: z
    .union([z.string(), z.number()], { error: 'must be a string of digits' })
    .transform(String)
    .pipe(z.string().regex(/^\d{1,12}$/, 'must be a string of digits, e.g. 204122'))
    .optional(),
  mpn: Mpn.optional(),
  iccid: Iccid.optional(),
  refresh_code: z
    .union([z.literal(0), z.literal(1), z.literal('0'), z.literal('1')], { error: 'must be 0 or 1' })
    .transform(Number)
    .optional(),
});

/** Finds the subscriber named by any of i_account, mpn and iccid; they must agree. */
function subscriberForEsim(state: SandboxState, q: z.output<typeof EsimRequest>): Subscriber {
  const found: Subscriber[] = [];
  if (q.iccid !== undefined) {
    const sim = state.sims.get(q.iccid);
    const sub = sim?.state === 'ACTIVE' && sim.iAccount ? state.subscribers.get(sim.iAccount) : undefined;
    if (!sub) throw notFound(`No active SIM with ICCID ${q.iccid}.`);
    found.push(sub);
  }
  if (q.mpn !== undefined) {
    const sub = subscriberByMpn(state, q.mpn);
    if (!sub) throw notFound(`No account with MPN ${q.mpn}.`);
    found.push(sub);
  }
  if (q.i_account !== undefined) {
    const sub = state.subscribers.get(q.i_account);
    if (!sub) throw notFound(`No account ${q.i_account}.`);
    found.push(sub);
  }
  const [first] = found;
  if (!first) throw badRequest('Give one of i_account, mpn or iccid.');
  if (found.some((s) => s !== first)) throw badRequest('i_account, mpn and iccid name different accounts.');
  return first;
}

function esim(ctx: OnsimContext, body: unknown): Reply {
  const q = parseBody(EsimRequest, body);
  const sub = subscriberForEsim(ctx.state, q);
  const sim = ctx.state.sims.get(sub.iccid);
  if (!sim?.esim) throw badRequest(`Not an eSIM: ${sub.iccid} is a physical SIM.`);
  let refresh = 'esim code not refreshed';
  if (q.refresh_code === 1) {
    if (sim.esim.status === 'installed') {
      refresh = 'error';
    } else {
      sim.esim.code = newEsimCode(ctx.rng);
      refresh = 'esim code refreshed';
    }
  }
  return json(200, {
    esim_code: sim.esim.code,
    esim_status: sim.esim.status,
    enabled_on_device: sim.esim.enabledOnDevice ? 'Y' : 'N',
    refresh_code: refresh,
  });
}

const QR_TTL_SECONDS = 86_400;
const sign = (key: Buffer, id: string, expiresAt: number) =>
  createHmac('sha256', key).update(`${id}:${expiresAt}`).digest('hex');

function generateQr(ctx: OnsimContext, body: unknown): Reply {
  const { esim_code } = parseBody(
    z.object({ esim_code: z.string(fieldError('must be a string')).regex(/^LPA:1/, 'must match ^LPA:1') }),
    body,
  );
  const known = [...ctx.state.sims.values()].some((s) => s.state === 'ACTIVE' && s.esim?.code === esim_code);
  if (!known) throw notFound('No eSIM has this activation code (a refreshed code replaces the old one).');
  const id = randomUUID();
  const expiresAt = Date.now() + QR_TTL_SECONDS * 1000;
  const signature = sign(ctx.qrKey, id, expiresAt);
  ctx.state.qrImages.set(id, { code: esim_code, signature, expiresAt });
  return json(
    200,
    `${ctx.url}/qr/${id}.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=${QR_TTL_SECONDS}&X-Amz-Signature=${signature}`,
  );
}

function s3Error(code: string, message: string): Reply {
  return {
    status: 403,
    contentType: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`,
  };
}

/** `GET /qr/<uuid>.png?…`: no API key, like a presigned S3 URL; 403 when unknown, tampered or expired. */
export async function serveQr(state: SandboxState, path: string, query: URLSearchParams): Promise<Reply> {
  const id = /^\/qr\/([0-9a-f-]{36})\.png$/.exec(path)?.[1];
  const image = id ? state.qrImages.get(id) : undefined;
  if (!image) return s3Error('AccessDenied', 'Access Denied');
  if (query.get('X-Amz-Signature') !== image.signature) {
    return s3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  if (Date.now() > image.expiresAt) return s3Error('AccessDenied', 'Request has expired');
  const png = await QRCode.toBuffer(image.code, {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 2,
    width: 512,
  });
  return { status: 200, contentType: 'image/png', body: png };
}

function updateBundle(ctx: OnsimContext, mpn: string, sku: string): Reply {
  checkMpn(mpn);
  const bundles = ctx.state.catalogue.bundles;
  if (!bundles.some((b) => b.sku === sku)) {
    throw badRequest(
      `bundle: unknown bundle "${sku}"; expected one of ${bundles.map((b) => b.sku).join(', ')}.`,
    );
  }
  accountFor(ctx.state, mpn).bundle = sku;
  return text(200, 'Bundle Successfully Updated');
}

function setRecording(ctx: OnsimContext, mpn: string, body: unknown): Reply {
  checkMpn(mpn);
  const r = parseBody(z.object({ voice_recording: OnOffField, sms_recording: OnOffField }), body);
  const sub = accountFor(ctx.state, mpn);
  sub.voiceRecording = r.voice_recording;
  sub.smsRecording = r.sms_recording;
  return text(200, 'Recording Successfully Updated');
}

const MobileSettings = z.object({
  mpn: Mpn.optional(),
  pbx_user: PbxUser.optional(),
  pbx_password: PbxPassword.optional(),
  first_name: Name.optional(),
  last_name: Name.optional(),
  email: Email.optional(),
  mobile_data: OnOffField.optional(),
  mobile_voice: OnOffField.optional(),
  mobile_sms: OnOffField.optional(),
  mobile_hotspot: OnOffField.optional(),
});

function updateMobileSettings(ctx: OnsimContext, mpn: string, body: unknown): Reply {
  checkMpn(mpn);
  const s = parseBody(MobileSettings, body);
  const { state } = ctx;
  const sub = accountFor(state, mpn);
  if (s.mpn !== undefined && s.mpn !== sub.mpn) {
    const taken = state.numbers.get(s.mpn);
    if (taken?.state === 'ACTIVE')
      throw conflict(`mpn: ${s.mpn} is already active on account ${taken.iAccount}.`);
    // The old number is released (quarantined): it leaves both lists.
    state.numbers.delete(sub.mpn);
    state.numbers.set(s.mpn, { mpn: s.mpn, state: 'ACTIVE', iAccount: sub.iAccount });
    sub.mpn = s.mpn;
  }
  const set = <K extends keyof Subscriber>(key: K, value: Subscriber[K] | undefined) => {
    if (value !== undefined) sub[key] = value;
  };
  set('pbxUser', s.pbx_user);
  set('pbxPassword', s.pbx_password);
  set('firstName', s.first_name);
  set('lastName', s.last_name);
  set('email', s.email);
  const svc = (value: OnOff | undefined, fallback: OnOff) => value ?? fallback;
  sub.services = {
    mobileData: svc(s.mobile_data, sub.services.mobileData),
    mobileVoice: svc(s.mobile_voice, sub.services.mobileVoice),
    mobileMessaging: svc(s.mobile_sms, sub.services.mobileMessaging),
    mobileHotspot: svc(s.mobile_hotspot, sub.services.mobileHotspot),
  };
  return text(200, 'Mobile Settings Successfully Updated');
}

function cease(ctx: OnsimContext, body: unknown): Reply {
  const { iccid } = parseBody(z.object({ iccid: Iccid }), body);
  const { state } = ctx;
  const sim = state.sims.get(iccid);
  const sub = sim?.state === 'ACTIVE' && sim.iAccount ? state.subscribers.get(sim.iAccount) : undefined;
  if (!sim || !sub) throw notFound(`No active SIM with ICCID ${iccid}.`);
  state.subscribers.delete(sub.iAccount);
  state.numbers.delete(sub.mpn);
  sim.state = 'CEASED';
  delete sim.iAccount;
  delete sim.esim;
  return text(200, 'Account Successfully Ceased');
}

// ---- Reseller ------------------------------------------------------------------------------

interface ProvisionInput {
  mpn: string;
  iccid?: string;
  pbxUser?: string;
  pbxPassword?: string;
  /** ONSIM UC only. */
  profile?: Pick<
    Subscriber,
    'firstName' | 'lastName' | 'email' | 'group' | 'homeLocation' | 'product' | 'bundle'
  >;
}

function takeSim(state: SandboxState, iccid: string | undefined): Sim {
  if (iccid === undefined) {
    for (const sim of state.sims.values()) if (sim.state === 'RESERVED' && sim.type === 'eSIM') return sim;
    throw conflict(
      'No RESERVED eSIM left to provision; give the iccid of a physical SIM or order more eSIMs.',
    );
  }
  const sim = state.sims.get(iccid);
  if (!sim) throw notFound(`iccid: no SIM ${iccid} in your stock.`);
  if (sim.state !== 'RESERVED') throw conflict(`iccid: SIM ${iccid} is ${sim.state}, not RESERVED.`);
  return sim;
}

function provision(ctx: OnsimContext, input: ProvisionInput): Reply {
  const { state } = ctx;
  const number = state.numbers.get(input.mpn);
  if (number?.state === 'ACTIVE')
    throw conflict(`mpn: ${input.mpn} is already active on account ${number.iAccount}.`);
  const sim = takeSim(state, input.iccid);

  const iAccount = String(state.nextAccountId++);
  const pbxPassword = input.pbxPassword ?? newPbxPassword(ctx.rng);
  sim.state = 'ACTIVE';
  sim.iAccount = iAccount;
  if (sim.type === 'eSIM')
    sim.esim = { code: newEsimCode(ctx.rng), status: 'ready to install', enabledOnDevice: false };
  state.numbers.set(input.mpn, { mpn: input.mpn, state: 'ACTIVE', iAccount });
  state.subscribers.set(iAccount, {
    iAccount,
    mpn: input.mpn,
    iccid: sim.iccid,
    state: 'PROVISIONED',
    bundle: 'BASE',
    ...input.profile,
    dataUsedMb: 0,
    services: { mobileData: 'ON', mobileVoice: 'ON', mobileMessaging: 'ON', mobileHotspot: 'OFF' },
    voiceRecording: 'OFF',
    smsRecording: 'OFF',
    pbxUser: input.pbxUser ?? `ONSIM${sim.iccid}`,
    pbxPassword,
  });
  if (sim.esim) ctx.esimProvisioned(sim.iccid);
  return json(201, { esim_code: sim.esim?.code, iccid: `ONSIM${sim.iccid}`, pbx_password: pbxPassword });
}

const ProvisionOwnPbx = z.object({
  mpn: Mpn,
  iccid: Iccid.optional(),
  pbx_user: PbxUser.optional(),
  pbx_password: PbxPassword.optional(),
});

const MOBILE_DATA = Object.keys(MOBILE_DATA_BUNDLES) as (keyof typeof MOBILE_DATA_BUNDLES)[];
const ProvisionOnsim = z.object({
  mpn: Mpn,
  iccid: Iccid.optional(),
  group_name: z.string(fieldError('must be a string')).min(1, 'is required'),
  home_location: z.enum(HOME_LOCATIONS, fieldError(`must be one of ${HOME_LOCATIONS.join(', ')}`)),
  first_name: Name,
  last_name: Name,
  email: Email,
  product: z
    .number(fieldError('must be a product id (an integer) from the catalogue'))
    .int('must be an integer'),
  mobile_data: z.enum(MOBILE_DATA, fieldError(`must be one of ${MOBILE_DATA.join(', ')}`)),
});

function provisionOnsim(ctx: OnsimContext, body: unknown): Reply {
  const p = parseBody(ProvisionOnsim, body);
  const group = ctx.state.groups.find((g) => g.name.toLowerCase() === p.group_name.toLowerCase());
  if (!group) throw badRequest(`group_name: no group named "${p.group_name}"; add it first.`);
  if (!ctx.state.catalogue.products.some((prod) => prod.id === p.product)) {
    throw badRequest(`product: no product ${p.product} in the catalogue.`);
  }
  return provision(ctx, {
    mpn: p.mpn,
    iccid: p.iccid,
    profile: {
      firstName: p.first_name,
      lastName: p.last_name,
      email: p.email,
      group: group.name,
      homeLocation: p.home_location,
      product: p.product,
      bundle: MOBILE_DATA_BUNDLES[p.mobile_data],
    },
  });
}

const SubscriberFilter = z.object({
  state: z.literal('PROVISIONED', { error: 'must be PROVISIONED' }).optional(),
  is_recorded: z.boolean({ error: 'must be true or false' }).optional(),
  group: z.string(fieldError('must be a string')).optional(),
});

function listSubscribers(ctx: OnsimContext, body: unknown): Reply {
  const f = parseBody(SubscriberFilter, body);
  const group = f.group?.toLowerCase();
  const list = [...ctx.state.subscribers.values()].filter(
    (s) =>
      (f.is_recorded === undefined || isRecorded(s) === f.is_recorded) &&
      (group === undefined || s.group?.toLowerCase() === group),
  );
  return json(
    200,
    list.map((s) => subscriberJson(ctx.state, s)),
  );
}

const NewGroup = z.object({
  name: z
    .string(fieldError('must be a string'))
    .regex(
      /^(?=.*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]{2,44}$/,
      'must be 3-45 characters of a-z, A-Z, 0-9, _ and -, start with a letter or digit, and contain a letter',
    ),
  address_line_1: z
    .string(fieldError('must be a string'))
    .trim()
    .min(1, 'is required')
    .max(100, 'is at most 100 characters'),
  home_location: z.enum(
    GROUP_HOME_LOCATIONS,
    fieldError(`must be one of ${GROUP_HOME_LOCATIONS.join(', ')}`),
  ),
  address_line_2: OptionalText(100),
  city: OptionalText(60),
  country: OptionalText(60),
  post_code: OptionalText(16),
  description: OptionalText(200),
});

function addGroup(ctx: OnsimContext, body: unknown): Reply {
  const g = parseBody(NewGroup, body);
  const { groups } = ctx.state;
  if (groups.some((x) => x.name.toLowerCase() === g.name.toLowerCase())) {
    throw conflict(`name: a group named "${g.name}" already exists.`);
  }
  groups.push({
    name: g.name,
    description: g.description,
    homeLocation: g.home_location,
    addressLine1: g.address_line_1,
    addressLine2: g.address_line_2,
    city: g.city,
    country: g.country,
    postCode: g.post_code,
  });
  return text(200, 'New Group Successfully Added');
}

// ---- Routes --------------------------------------------------------------------------------

const PORT_FILTERS: readonly string[] = ['ALL', ...PORT_STATUSES];

export function onsimRoutes(ctx: OnsimContext): Route[] {
  return [
    // Account
    route('POST', '/account/esim', ({ body }) => esim(ctx, body)),
    route('POST', '/account/esim/generate', ({ body }) => generateQr(ctx, body)),
    route('POST', '/account/pbxinfo/:mpn', ({ params, body }) => updateMobileSettings(ctx, params.mpn, body)),
    route('GET', '/account/:mpn', ({ params }) =>
      json(200, { account: [accountJson(ctx.state, accountFor(ctx.state, params.mpn))] }),
    ),
    route('POST', '/account/:mpn/bundle/:bundle', ({ params }) =>
      updateBundle(ctx, params.mpn, params.bundle),
    ),
    route('POST', '/account/:mpn/recording', ({ params, body }) => setRecording(ctx, params.mpn, body)),
    route('DELETE', '/account', ({ body }) => cease(ctx, body)),

    // Reseller
    route('POST', '/reseller/provision', ({ body }) => {
      const p = parseBody(ProvisionOwnPbx, body);
      return provision(ctx, { mpn: p.mpn, iccid: p.iccid, pbxUser: p.pbx_user, pbxPassword: p.pbx_password });
    }),
    route('POST', '/reseller/provision-onsim', ({ body }) => provisionOnsim(ctx, body)),
    route('GET', '/reseller/catalogue', () => {
      const { products, bundles } = ctx.state.catalogue;
      return json(200, {
        catalogue: {
          products: products.map(({ id, name, description }) => ({ id, name, description })),
          bundles: bundles.map(({ sku, name, description }) => ({ sku, name, description })),
        },
      });
    }),
    route('POST', '/reseller/subscribers', ({ body }) => listSubscribers(ctx, body)),
    route('GET', '/reseller/groups', () =>
      json(
        200,
        ctx.state.groups.map((g) => ({
          name: g.name,
          description: g.description,
          home_location: g.homeLocation,
          address_line_1: g.addressLine1,
          address_line_2: g.addressLine2,
          city: g.city,
          country: g.country,
          post_code: g.postCode,
        })),
      ),
    ),
    route('POST', '/reseller/groups', ({ body }) => addGroup(ctx, body)),

    // Porting
    route('GET', '/port/all/:state', ({ params }) => {
      const filter = params.state;
      if (!PORT_FILTERS.includes(filter))
        throw badRequest(`state: must be one of ${PORT_FILTERS.join(', ')}`);
      const ports = [...ctx.state.ports.values()].filter((p) => filter === 'ALL' || p.status === filter);
      return json(200, { port: ports });
    }),
    route('GET', '/port/:id', ({ params }) => {
      const port = ctx.state.ports.get(params.id);
      if (!port) throw notFound(`No port with id ${params.id}.`);
      return json(200, port);
    }),

    // SIMs and numbers
    route('GET', '/sims/:state/:type', ({ params }) => {
      const { state, type } = params;
      if (state !== 'ACTIVE' && state !== 'RESERVED') throw badRequest('state: must be ACTIVE or RESERVED');
      if (type !== 'ALL' && type !== 'eSIM' && type !== 'pSIM')
        throw badRequest('type: must be ALL, eSIM or pSIM');
      const sims = [...ctx.state.sims.values()].filter(
        (s) => s.state === state && (type === 'ALL' || s.type === type),
      );
      return json(
        200,
        sims.map((s) => ({
          iccid: s.iccid,
          type: s.type,
          state: s.state,
          mpn: s.iAccount ? ctx.state.subscribers.get(s.iAccount)?.mpn : undefined,
        })),
      );
    }),
    route('GET', '/numbers/:state', ({ params }) => {
      const { state } = params;
      if (state !== 'ACTIVE' && state !== 'RESERVED') throw badRequest('state: must be ACTIVE or RESERVED');
      const numbers = [...ctx.state.numbers.values()].filter((n) => n.state === state);
      return json(
        200,
        numbers.map((n) => ({ mpn: n.mpn, state: n.state, i_account: n.iAccount })),
      );
    }),
    route('POST', '/numbers/:mpn', ({ params }) => {
      const mpn = checkMpn(params.mpn);
      const existing = ctx.state.numbers.get(mpn);
      if (existing) throw conflict(`mpn: ${mpn} is already in your numbers (${existing.state}).`);
      ctx.state.numbers.set(mpn, { mpn, state: 'RESERVED' });
      return text(201, 'Number added');
    }),
  ];
}
