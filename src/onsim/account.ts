import { z } from 'zod';
import { OnsimInputError } from './errors.js';
import { type OnsimHttp, seg } from './http.js';
import { EsimCodeSchema, IccidSchema, MpnSchema } from './identifiers.js';
import { Acknowledgement, IdString, LooseNumber, LooseOnOff, OnOff, validateInput } from './shapes.js';

// ---- 1. Get account info -------------------------------------------------------------------

export const DataBundle = z.looseObject({
  bundle_name: z.string().optional(),
  allowance: LooseNumber.optional(),
  used: LooseNumber.optional(),
  remaining: LooseNumber.optional(),
  unit: z.string().optional(),
  /** Not ISO ("2024-01-01 00:00:00"): kept as text. */
  period_from: z.string().optional(),
  period_to: z.string().optional(),
});
export type DataBundle = z.infer<typeof DataBundle>;

export const Services = z.looseObject({
  mobile_data: LooseOnOff.optional(),
  mobile_hotspot: LooseOnOff.optional(),
  mobile_messaging: LooseOnOff.optional(),
  mobile_voice: LooseOnOff.optional(),
});
export type Services = z.infer<typeof Services>;

export const Account = z.looseObject({
  sim: IdString.optional(),
  i_account: IdString.optional(),
  mpn: IdString,
  sip_address: z.string().optional(),
  services: Services.default({}),
  bundles: z.looseObject({ data: DataBundle.optional() }).default({}),
  // Not documented, but kept when ONSIM sends them (settings prefill, cease preview).
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  email: z.string().optional(),
  group: z.string().optional(),
  voice_recording: LooseOnOff.optional(),
  sms_recording: LooseOnOff.optional(),
});
export type Account = z.infer<typeof Account>;

/** Documented as `account: object[]` and, by example, as the bare object: accept each. */
const AccountResponse = z.preprocess((body) => {
  let b = body;
  if (b && typeof b === 'object' && !Array.isArray(b) && 'account' in b) b = b.account;
  if (Array.isArray(b)) b = b[0];
  return b;
}, Account);

export async function getAccount(http: OnsimHttp, mpn: string): Promise<Account> {
  const op = 'account info';
  const valid = validateInput(op, z.object({ mpn: MpnSchema }), { mpn });
  return http({
    operation: op,
    method: 'GET',
    path: `/account/${seg(valid.mpn)}`,
    kind: 'read',
    response: AccountResponse,
  });
}

// ---- 2. eSIM code & status -----------------------------------------------------------------

export const EsimQuery = z
  .object({
    i_account: z
      .string()
      .trim()
      .regex(/^\d{1,12}$/, 'i_account is a number, e.g. 123456')
      .optional(),
    mpn: MpnSchema.optional(),
    iccid: IccidSchema.optional(),
  })
  .refine((q) => q.i_account || q.mpn || q.iccid, {
    message: 'Give an i_account, an MPN or an ICCID.',
    path: ['mpn'],
  });
export type EsimQuery = z.input<typeof EsimQuery>;

export const EsimInfo = z.looseObject({
  esim_code: z.string().optional(),
  esim_status: z.string().optional(),
  enabled_on_device: LooseOnOff.optional(),
  refresh_code: z.string().optional(),
});
export type EsimInfo = z.infer<typeof EsimInfo>;

/** The plain query is a read; `refresh` issues a new code (invalidating the old) and is a write. */
export async function getEsim(
  http: OnsimHttp,
  query: EsimQuery,
  opts: { refresh?: boolean } = {},
): Promise<EsimInfo> {
  const op = opts.refresh ? 'eSIM code refresh' : 'eSIM query';
  const valid = validateInput(op, EsimQuery, query);
  return http({
    operation: op,
    method: 'POST',
    path: '/account/esim',
    body: { ...valid, refresh_code: opts.refresh ? 1 : 0 },
    kind: opts.refresh ? 'write' : 'read',
    response: EsimInfo,
  });
}

// ---- 3. Generate QR ------------------------------------------------------------------------

/** A presigned PNG URL, documented as a bare string; tolerate `{url}` and a JSON string. */
const QrUrl = z.preprocess(
  (body) => {
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const o = body as Record<string, unknown>;
      return o.url ?? o.qr ?? o.qr_url ?? o.image;
    }
    return body;
  },
  z.url({ protocol: /^https?$/ }),
);

export async function generateQr(http: OnsimHttp, esimCode: string): Promise<string> {
  const op = 'QR generation';
  const valid = validateInput(op, z.object({ esim_code: EsimCodeSchema }), { esim_code: esimCode });
  // Generating an image changes nothing on the line, so it is safe to repeat.
  return http({
    operation: op,
    method: 'POST',
    path: '/account/esim/generate',
    body: valid,
    kind: 'read',
    response: QrUrl,
  });
}

// ---- 4. Update bundle ----------------------------------------------------------------------

export const BundleSku = z
  .string()
  .trim()
  .min(1, 'Give a bundle: BASE (no data), UNLIMITED, or a bundle SKU from the catalogue.')
  .max(64, 'A bundle SKU is at most 64 characters.')
  .regex(/^[A-Za-z0-9_.-]+$/, 'A bundle SKU is letters, digits, dot, dash or underscore, e.g. UNLIMITED.');

export async function updateBundle(http: OnsimHttp, mpn: string, bundle: string): Promise<string> {
  const op = 'bundle change';
  const valid = validateInput(op, z.object({ mpn: MpnSchema, bundle: BundleSku }), { mpn, bundle });
  return http({
    operation: op,
    method: 'POST',
    path: `/account/${seg(valid.mpn)}/bundle/${seg(valid.bundle)}`,
    kind: 'write',
    response: Acknowledgement,
  });
}

// ---- 5. Recording --------------------------------------------------------------------------

export const RecordingSettings = z.object({ voice_recording: OnOff, sms_recording: OnOff });
export type RecordingSettings = z.infer<typeof RecordingSettings>;

/** Always sends both values: ONSIM's behaviour for a missing one is not documented. */
export async function setRecording(
  http: OnsimHttp,
  mpn: string,
  settings: RecordingSettings,
): Promise<string> {
  const op = 'recording change';
  const valid = validateInput(op, RecordingSettings.extend({ mpn: MpnSchema }), { mpn, ...settings });
  const { mpn: target, ...body } = valid;
  return http({
    operation: op,
    method: 'POST',
    path: `/account/${seg(target)}/recording`,
    body,
    kind: 'write',
    response: Acknowledgement,
  });
}

// ---- 6. Mobile settings --------------------------------------------------------------------

const Name = z.string().trim().min(1, 'A name cannot be empty.').max(50, 'A name is at most 50 characters.');

export const MobileSettings = z
  .object({
    mpn: MpnSchema,
    pbx_user: z
      .string()
      .trim()
      .min(3, 'A SIP username is at least 3 characters.')
      .max(64)
      .regex(/^\S+$/, 'A SIP username has no spaces.'),
    pbx_password: z
      .string()
      .min(8, 'A SIP password is at least 8 characters.')
      .max(64, 'A SIP password is at most 64 characters.'),
    first_name: Name,
    last_name: Name,
    email: z.email('That is not an email address; expected something like j.smith@example.com.'),
    mobile_data: OnOff,
    mobile_voice: OnOff,
    mobile_sms: OnOff,
    mobile_hotspot: OnOff,
  })
  .partial();
export type MobileSettings = z.input<typeof MobileSettings>;

export async function updateMobileSettings(
  http: OnsimHttp,
  mpn: string,
  settings: MobileSettings,
): Promise<string> {
  const op = 'mobile settings change';
  const target = validateInput(op, z.object({ mpn: MpnSchema }), { mpn }).mpn;
  const body = validateInput(op, MobileSettings, settings);
  if (Object.keys(body).length === 0) {
    throw new OnsimInputError(op, [
      { field: 'mpn', message: 'Nothing to change: give at least one setting.' },
    ]);
  }
  return http({
    operation: op,
    method: 'POST',
    path: `/account/pbxinfo/${seg(target)}`,
    body,
    kind: 'write',
    response: Acknowledgement,
  });
}

// ---- 7. Cease ------------------------------------------------------------------------------

export async function ceaseAccount(http: OnsimHttp, iccid: string): Promise<string> {
  const op = 'cease';
  const valid = validateInput(op, z.object({ iccid: IccidSchema }), { iccid });
  return http({
    operation: op,
    method: 'DELETE',
    path: '/account',
    body: valid,
    kind: 'write',
    response: Acknowledgement,
  });
}
