import { z } from 'zod';
import type { OnsimHttp } from './http.js';
import { GroupNameSchema, IccidSchema, MpnSchema } from './identifiers.js';
import { Acknowledgement, IdString, LooseNumber, listOf, validateInput } from './shapes.js';

// ---- 8/9. Provision ------------------------------------------------------------------------

export const HOME_LOCATIONS = ['GBR', 'USA', 'FRA'] as const;
export const MOBILE_DATA_OPTIONS = ['BACKGROUND-ONLY', '2GB', '4GB', '10GB', '20GB', 'UNLIMITED'] as const;

const Name = z.string().trim().min(1, 'Required.').max(50, 'At most 50 characters.');

/** Own PBX flavour (`/reseller/provision`): only `mpn` is required (the schema page wins). */
export const ProvisionOwnPbx = z.object({
  mpn: MpnSchema,
  iccid: IccidSchema.optional(),
  pbx_user: z
    .string()
    .trim()
    .min(3, 'A SIP username is at least 3 characters.')
    .max(64, 'A SIP username is at most 64 characters.')
    .regex(/^\S+$/, 'A SIP username has no spaces, e.g. USER12345.')
    .optional(),
  pbx_password: z
    .string()
    .min(8, 'A SIP password is at least 8 characters; leave it empty to have ONSIM generate one.')
    .max(64, 'A SIP password is at most 64 characters.')
    .optional(),
});
export type ProvisionOwnPbx = z.input<typeof ProvisionOwnPbx>;

/** ONSIM UC flavour (`/reseller/provision-onsim`). */
export const ProvisionOnsim = z.object({
  mpn: MpnSchema,
  iccid: IccidSchema.optional(),
  group_name: z.string().trim().min(1, 'Choose the customer group.').max(45),
  home_location: z.enum(HOME_LOCATIONS, { message: 'Home location is one of GBR, USA or FRA.' }),
  first_name: Name,
  last_name: Name,
  email: z.email('That is not an email address; expected something like j.smith@example.com.'),
  product: z.coerce
    .number({ message: 'Choose a product from the catalogue.' })
    .int('A product id is a whole number, e.g. 18.')
    .positive('A product id is a positive number, e.g. 18.'),
  mobile_data: z.enum(MOBILE_DATA_OPTIONS, {
    message: `Mobile data is one of ${MOBILE_DATA_OPTIONS.join(', ')}.`,
  }),
});
export type ProvisionOnsim = z.input<typeof ProvisionOnsim>;

export const ProvisionResult = z.looseObject({
  esim_code: z.string().optional(),
  /** Prefixed with ONSIM; it is also the SIP username. */
  iccid: IdString.optional(),
  pbx_password: z.string().optional(),
});
export type ProvisionResult = z.infer<typeof ProvisionResult>;

export async function provisionOwnPbx(http: OnsimHttp, input: ProvisionOwnPbx): Promise<ProvisionResult> {
  const op = 'provision (own PBX)';
  const body = validateInput(op, ProvisionOwnPbx, input);
  return http({
    operation: op,
    method: 'POST',
    path: '/reseller/provision',
    body,
    kind: 'write',
    response: ProvisionResult,
  });
}

export async function provisionOnsim(http: OnsimHttp, input: ProvisionOnsim): Promise<ProvisionResult> {
  const op = 'provision (ONSIM UC)';
  const body = validateInput(op, ProvisionOnsim, input);
  return http({
    operation: op,
    method: 'POST',
    path: '/reseller/provision-onsim',
    body,
    kind: 'write',
    response: ProvisionResult,
  });
}

// ---- 10. Catalogue (shape undocumented) ----------------------------------------------------

export const Product = z.looseObject({
  id: LooseNumber,
  name: z.string().default(''),
  description: z.string().optional(),
});
export type Product = z.infer<typeof Product>;

export const CatalogueBundle = z.looseObject({
  sku: IdString,
  name: z.string().default(''),
  description: z.string().optional(),
});
export type CatalogueBundle = z.infer<typeof CatalogueBundle>;

export const Catalogue = z.preprocess(
  (body) => (body && typeof body === 'object' && 'catalogue' in body ? body.catalogue : body),
  z.looseObject({
    products: listOf(Product, ['products', 'items']).default([]),
    bundles: listOf(CatalogueBundle, ['bundles', 'items']).default([]),
  }),
);
export type Catalogue = z.infer<typeof Catalogue>;

export async function getCatalogue(http: OnsimHttp): Promise<Catalogue> {
  return http({
    operation: 'catalogue',
    method: 'GET',
    path: '/reseller/catalogue',
    kind: 'read',
    response: Catalogue,
  });
}

// ---- 11. Subscribers (shape undocumented) --------------------------------------------------

export const Subscriber = z.looseObject({
  i_account: IdString.optional(),
  mpn: IdString.optional(),
  iccid: IdString.optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  email: z.string().optional(),
  group: z.string().optional(),
  state: z.string().optional(),
  is_recorded: z.union([z.boolean(), z.string(), z.number()]).optional(),
  bundle: z.string().optional(),
  sim_type: z.string().optional(),
});
export type Subscriber = z.infer<typeof Subscriber>;

export const SubscriberFilter = z.object({
  state: z
    .literal('PROVISIONED', { message: 'The only subscriber state ONSIM lists is PROVISIONED.' })
    .default('PROVISIONED'),
  is_recorded: z
    .boolean({ message: 'is_recorded is true (recorded lines only) or false (unrecorded only).' })
    .optional(),
  group: z
    .string()
    .trim()
    .min(1, 'The group name is empty; give one, e.g. ACME_LOGISTICS, or none for every group.')
    .max(45, 'A group name is at most 45 characters.')
    .optional(),
});
export type SubscriberFilter = z.input<typeof SubscriberFilter>;

/** A read sent as POST: safe to repeat. `state` is always sent, as one page marks it required. */
export async function listSubscribers(http: OnsimHttp, filter: SubscriberFilter = {}): Promise<Subscriber[]> {
  const op = 'subscriber list';
  const body = validateInput(op, SubscriberFilter, filter);
  return http({
    operation: op,
    method: 'POST',
    path: '/reseller/subscribers',
    body,
    kind: 'read',
    response: listOf(Subscriber, ['subscribers', 'data', 'items']),
  });
}

// ---- 12/13. Groups -------------------------------------------------------------------------

export const Group = z.preprocess(
  (g) => (typeof g === 'string' ? { name: g } : g),
  z.looseObject({
    name: z.string(),
    description: z.string().optional(),
    home_location: z.string().optional(),
    address_line_1: z.string().optional(),
    city: z.string().optional(),
  }),
);
export type Group = z.infer<typeof Group>;

export async function listGroups(http: OnsimHttp): Promise<Group[]> {
  return http({
    operation: 'group list',
    method: 'GET',
    path: '/reseller/groups',
    kind: 'read',
    response: listOf(Group, ['groups', 'data', 'items']),
  });
}

const Optional = (max: number) => z.string().trim().max(max, `At most ${max} characters.`).optional();

export const NewGroup = z.object({
  name: GroupNameSchema,
  address_line_1: z
    .string()
    .trim()
    .min(1, 'The first address line is required, e.g. "Example Building".')
    .max(100),
  home_location: z.enum(['GBR', 'USA', 'GBR,USA'], { message: 'Home location is GBR, USA, or GBR,USA.' }),
  address_line_2: Optional(100),
  city: Optional(60),
  country: Optional(60),
  post_code: Optional(16),
  description: Optional(200),
});
export type NewGroup = z.input<typeof NewGroup>;

export async function addGroup(http: OnsimHttp, group: NewGroup): Promise<string> {
  const op = 'add group';
  const body = validateInput(op, NewGroup, group);
  return http({
    operation: op,
    method: 'POST',
    path: '/reseller/groups',
    body,
    kind: 'write',
    response: Acknowledgement,
  });
}
