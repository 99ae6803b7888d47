// The provisioning modal: one form for both ONSIM flavours, chosen at the top. Pure: data in,
// Block Kit out. Every input's block_id and action_id is the ONSIM field it fills, so the ONSIM
// layer's validation issues land on the right field and Slack keeps typed values across updates.

import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { formatMpn, mpnSchemaFor, parseGroupName } from '../onsim/identifiers.js';
import { HOME_LOCATIONS, MOBILE_DATA_OPTIONS, ProvisionOnsim, ProvisionOwnPbx } from '../onsim/reseller.js';
import { context, field, option, plainText, section, selectInput, textInput } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { jsonCodec } from '../slack/metadata.js';
import { esc, mention } from '../slack/text.js';
import { issuesToErrors, readForm } from './form-state.js';

export const PROVISION_TITLE = 'Provision a SIM';
export const PROVISION_CALLBACK_ID = 'provision_modal';
export const PROVISION_SHORTCUT_ID = 'provision_shortcut';
/** The flavour radio buttons at the top of the modal (an actions block: switching updates the view). */
export const PROVISION_FLAVOUR_ACTION = 'provision_flavour';
/** "Try again" when ONSIM's groups or catalogue could not be loaded. */
export const PROVISION_RETRY_ACTION = 'provision_retry';
/** Where the record and QR go, asked only when the form was opened outside a channel. */
export const REPORT_CHANNEL_BLOCK = 'report_channel';

const FLAVOUR_BLOCK = 'provision_flavour_block';

/** `onsim`: ONSIM UC (`/reseller/provision-onsim`); `pbx`: own PBX (`/reseller/provision`). */
export const ProvisionFlavour = z.enum(['onsim', 'pbx']);
export type ProvisionFlavour = z.infer<typeof ProvisionFlavour>;

export const FLAVOUR_LABEL: Record<ProvisionFlavour, string> = { onsim: 'ONSIM UC', pbx: 'own PBX' };

const FLAVOUR_OPTIONS: Record<ProvisionFlavour, PlainTextOption> = {
  onsim: option('ONSIM UC', 'onsim', 'Line with an ONSIM UC seat: group, product, customer'),
  pbx: option('Own PBX', 'pbx', 'Line with SIP credentials for your own phone system'),
};

const HOME_LOCATION_LABEL: Record<(typeof HOME_LOCATIONS)[number], string> = {
  GBR: 'GBR — United Kingdom',
  USA: 'USA — United States',
  FRA: 'FRA — France',
};

// ---- private_metadata ----------------------------------------------------------------------

const Metadata = z.object({
  /** The channel /onsim was typed in; null when opened from the shortcut or App Home. */
  c: z
    .string()
    .regex(/^[CGD][A-Z0-9]{2,}$/)
    .nullable(),
  f: ProvisionFlavour,
});

export interface ProvisionMetadata {
  channelId: string | null;
  flavour: ProvisionFlavour;
}

export const provisionMetadata = jsonCodec(
  z.codec(Metadata, z.object({ channelId: z.string().nullable(), flavour: ProvisionFlavour }), {
    decode: (w): ProvisionMetadata => ({ channelId: w.c, flavour: w.f }),
    encode: (m) => ({ c: m.channelId, f: m.flavour }),
  }),
);

// ---- The modal -----------------------------------------------------------------------------

export interface ProvisionProduct {
  id: number;
  name: string;
  description?: string;
}

/** What ONSIM offers for the UC flavour's selects. */
export interface ProvisionLists {
  groups: string[];
  products: ProvisionProduct[];
}

export type ListsState =
  | { status: 'loading' }
  | { status: 'ready'; lists: ProvisionLists }
  /** `message` is mrkdwn, already escaped. */
  | { status: 'failed'; message: string };

export interface ProvisionModalState {
  flavour: ProvisionFlavour;
  /** The channel the record and QR go to; null asks for one (conversations_select). */
  channelId: string | null;
  /** Groups and catalogue; only the ONSIM UC flavour needs them. */
  lists: ListsState;
  /** Where QR codes go (QR_DELIVERY), to warn in the form. */
  qrDelivery: 'channel' | 'dm';
}

const MAX_OPTIONS = 100;

/** A select of the groups, or a text field when ONSIM has more than a select can hold. */
function groupInput(groups: string[]): KnownBlock {
  const usable = groups.filter((g) => g.length > 0 && g.length <= 75);
  if (usable.length > MAX_OPTIONS || usable.length < groups.length) {
    return textInput('group_name', 'Customer group', {
      placeholder: 'e.g. ACME_LOGISTICS',
      hint: `ONSIM lists ${groups.length} groups, too many for a menu: type the group's name exactly.`,
      maxLength: 45,
    });
  }
  return selectInput(
    'group_name',
    'Customer group',
    usable.map((g) => option(g, g)),
    { placeholder: 'Choose the group' },
  );
}

function productInput(products: ProvisionProduct[]): KnownBlock {
  if (products.length > MAX_OPTIONS) {
    return textInput('product', 'Product id', {
      placeholder: 'e.g. 18',
      hint: `The catalogue has ${products.length} products, too many for a menu: type the product id.`,
      maxLength: 12,
    });
  }
  return selectInput(
    'product',
    'Product',
    products.map((p) => option(`${p.name || 'Product'} (#${p.id})`, String(p.id), p.description)),
    { placeholder: 'Choose the product' },
  );
}

const mpnInput = () =>
  textInput('mpn', 'Mobile number (MPN)', {
    placeholder: '+44 7700 900123 or 07700 900123',
    maxLength: 30,
  });

const iccidInput = () =>
  textInput('iccid', 'ICCID', {
    optional: true,
    placeholder: '8944 1234 5678 9012 3454',
    hint: 'Leave empty for the next free eSIM. For a physical SIM, type the 20 digits printed on it.',
    maxLength: 40,
  });

function onsimFields(lists: ProvisionLists): KnownBlock[] {
  return [
    mpnInput(),
    iccidInput(),
    groupInput(lists.groups),
    productInput(lists.products),
    selectInput(
      'mobile_data',
      'Mobile data',
      MOBILE_DATA_OPTIONS.map((d) => option(d, d)),
      { placeholder: 'Choose the data allowance' },
    ),
    selectInput(
      'home_location',
      'Home location',
      HOME_LOCATIONS.map((h) => option(HOME_LOCATION_LABEL[h], h)),
      { placeholder: 'Choose the home location', initial: option(HOME_LOCATION_LABEL.GBR, 'GBR') },
    ),
    textInput('first_name', 'First name', { maxLength: 50 }),
    textInput('last_name', 'Last name', { maxLength: 50 }),
    textInput('email', 'Email', { email: true, placeholder: 'j.smith@example.com' }),
  ];
}

function pbxFields(): KnownBlock[] {
  return [
    mpnInput(),
    iccidInput(),
    textInput('pbx_user', 'SIP username', {
      optional: true,
      hint: 'Leave empty for the default: ONSIM followed by the ICCID.',
      maxLength: 64,
    }),
    textInput('pbx_password', 'SIP password', {
      optional: true,
      hint: 'Leave empty to have ONSIM generate one; it is then shown once, only to you.',
      maxLength: 64,
    }),
  ];
}

function reportChannelInput(): KnownBlock {
  return {
    type: 'input',
    block_id: REPORT_CHANNEL_BLOCK,
    optional: true,
    label: plainText('Post the record and QR in'),
    hint: plainText('Leave empty to get them in a direct message from the bot.'),
    element: {
      type: 'conversations_select',
      action_id: REPORT_CHANNEL_BLOCK,
      default_to_current_conversation: true,
      placeholder: plainText('Choose a channel'),
      filter: { include: ['public', 'private'], exclude_bot_users: true },
    },
  };
}

function qrWarning(state: ProvisionModalState): KnownBlock {
  const where =
    state.qrDelivery === 'dm'
      ? 'sent to you in a direct message'
      : state.channelId
        ? `posted in <#${state.channelId}>`
        : 'posted where you choose below';
  return context(
    `⚠️ The new eSIM's QR code will be ${where}. Whoever scans it first gets the line. The SIP password is shown only to you, once.`,
  );
}

/** The UC flavour's blocks when its lists are not (yet) usable; null when they are. */
function listsProblem(lists: ListsState): KnownBlock[] | null {
  if (lists.status === 'loading') {
    return [section('⏳ Getting your customer groups and products from ONSIM…')];
  }
  const retry: KnownBlock = {
    type: 'actions',
    elements: [{ type: 'button', action_id: PROVISION_RETRY_ACTION, text: plainText('Try again') }],
  };
  if (lists.status === 'failed') {
    return [
      section(
        `${lists.message}\n\nThe ONSIM UC form needs ONSIM's groups and products. Press *Try again* in a minute, or choose *Own PBX* above, which needs neither.`,
      ),
      retry,
    ];
  }
  const missing = [
    lists.lists.groups.length === 0 ? 'no customer groups (add one with `/onsim group add`)' : null,
    lists.lists.products.length === 0 ? 'no products in the catalogue' : null,
  ].filter(Boolean);
  if (missing.length === 0) return null;
  return [
    section(`⚠️ ONSIM lists ${missing.join(' and ')}, so an ONSIM UC line cannot be provisioned yet.`),
    retry,
  ];
}

/** The same builder serves views.open and every views.update (loading, ready, failed, flavour switch). */
export function provisionModal(state: ProvisionModalState): ModalView {
  const flavourBlock: KnownBlock = {
    type: 'actions',
    block_id: FLAVOUR_BLOCK,
    elements: [
      {
        type: 'radio_buttons',
        action_id: PROVISION_FLAVOUR_ACTION,
        options: [FLAVOUR_OPTIONS.onsim, FLAVOUR_OPTIONS.pbx],
        initial_option: FLAVOUR_OPTIONS[state.flavour],
      },
    ],
  };
  const problem = state.flavour === 'onsim' ? listsProblem(state.lists) : null;
  const fields =
    problem ??
    (state.flavour === 'pbx'
      ? pbxFields()
      : state.lists.status === 'ready'
        ? onsimFields(state.lists.lists)
        : []);
  const hasInputs = problem === null;
  const blocks: KnownBlock[] = [flavourBlock, ...fields];
  if (hasInputs) {
    if (state.channelId === null) blocks.push(reportChannelInput());
    blocks.push(qrWarning(state));
  }
  return {
    type: 'modal',
    callback_id: PROVISION_CALLBACK_ID,
    private_metadata: provisionMetadata.encode({ channelId: state.channelId, flavour: state.flavour }),
    title: plainText(PROVISION_TITLE),
    close: plainText('Cancel'),
    ...(hasInputs ? { submit: plainText('Provision') } : {}),
    blocks,
  };
}

/** Shown instead of the form (or in place of it, on submit) when the caller's role does not allow it. */
export function provisionRefusedModal(message: string): ModalView {
  return {
    type: 'modal',
    title: plainText(PROVISION_TITLE),
    close: plainText('Close'),
    blocks: [section(message)],
  };
}

// ---- Submission ----------------------------------------------------------------------------

export type ProvisionSubmission =
  | {
      ok: true;
      flavour: 'onsim';
      input: z.output<typeof ProvisionOnsim>;
      /** The chosen report channel, when the form asked for one. */
      reportChannel: string | null;
    }
  | { ok: true; flavour: 'pbx'; input: z.output<typeof ProvisionOwnPbx>; reportChannel: string | null }
  | { ok: false; errors: Record<string, string> };

/**
 * Reads `view.state.values` and validates them with the ONSIM layer's own schemas (MPN, ICCID
 * check digit, email, names…). Errors are keyed by block_id (= ONSIM field), ready for
 * `response_action: 'errors'`. Required fields left empty are passed as '' so their own rule
 * explains what is expected; optional ones are left out.
 */
export function parseProvisionSubmission(
  values: unknown,
  flavour: ProvisionFlavour,
  opts: { defaultCountry?: CountryCode } = {},
): ProvisionSubmission {
  const form = readForm(values);
  const raw = (field: string): string | undefined => {
    const v = form.choice(field) ?? form.conversation(field) ?? form.text(field);
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const trimmed = (field: string) => raw(field)?.trim();
  const reportChannel = trimmed(REPORT_CHANNEL_BLOCK) ?? null;
  const mpn = mpnSchemaFor(opts.defaultCountry ?? 'GB');

  if (flavour === 'pbx') {
    const parsed = ProvisionOwnPbx.extend({ mpn }).safeParse(
      present({
        mpn: trimmed('mpn') ?? '',
        iccid: trimmed('iccid'),
        pbx_user: trimmed('pbx_user'),
        // Passwords are taken as typed: a space may be part of one.
        pbx_password: raw('pbx_password'),
      }),
    );
    if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error.issues, 'mpn') };
    return { ok: true, flavour, input: parsed.data, reportChannel };
  }
  const parsed = ProvisionOnsim.extend({ mpn }).safeParse(
    present({
      mpn: trimmed('mpn') ?? '',
      iccid: trimmed('iccid'),
      group_name: trimmed('group_name') ?? '',
      home_location: trimmed('home_location') ?? '',
      first_name: trimmed('first_name') ?? '',
      last_name: trimmed('last_name') ?? '',
      email: trimmed('email') ?? '',
      product: trimmed('product') ?? '',
      mobile_data: trimmed('mobile_data') ?? '',
    }),
  );
  if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error.issues, 'mpn') };
  return { ok: true, flavour, input: parsed.data, reportChannel };
}

export type OnsimChoicesCheck =
  | { ok: true; input: z.output<typeof ProvisionOnsim> }
  | { ok: false; errors: Record<string, string> };

/**
 * The group and product of a valid ONSIM UC submission, checked against ONSIM's lists (those the
 * form offered): a value the lists do not hold — a name typed when there are too many groups for
 * a menu, a stale choice — goes back to its field, before ONSIM is asked. ONSIM compares group
 * names without case: the group is sent as ONSIM spells it.
 */
export function checkOnsimChoices(
  input: z.output<typeof ProvisionOnsim>,
  lists: ProvisionLists,
): OnsimChoicesCheck {
  const errors: Record<string, string> = {};
  const typed = input.group_name;
  const group = lists.groups.find((g) => g.toLowerCase() === typed.toLowerCase());
  if (group === undefined) {
    const rule = parseGroupName(typed);
    errors.group_name = rule.ok
      ? `ONSIM has no customer group “${typed}”. Choose one of your groups (/onsim groups lists them), or add it first with /onsim group add.`
      : rule.error;
  }
  if (!lists.products.some((p) => p.id === input.product)) {
    errors.product = `ONSIM's catalogue has no product ${input.product}. Choose one from the list (/onsim catalogue describes them).`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { ...input, group_name: group ?? typed } };
}

/** Optional fields left empty are not sent at all (ONSIM then picks the next eSIM, the default user…). */
function present(o: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

// ---- Messages after the submission ----------------------------------------------------------

export interface ProvisionedRecord {
  flavour: ProvisionFlavour;
  mpn: string;
  /** 19 digits, without ONSIM's prefix; absent when ONSIM did not say. */
  iccid: string | undefined;
  userId: string;
  /** ONSIM UC only. */
  group?: string;
  product?: { id: number; name: string | undefined };
  mobileData?: string;
  homeLocation?: string;
  /** Where the eSIM's QR went, or why there is none. */
  qr: 'below' | 'dm' | 'physical' | 'failed';
}

/** The channel-visible record: what was provisioned and by whom. Never a secret. */
export function provisionedRecord(r: ProvisionedRecord): Message {
  const mpn = formatMpn(r.mpn);
  const head = `✅ *${mpn}* provisioned (${FLAVOUR_LABEL[r.flavour]}) by ${mention(r.userId)}`;
  const fields: string[] = [`*ICCID*\n${r.iccid ? esc(r.iccid) : 'not returned by ONSIM'}`];
  if (r.flavour === 'onsim') {
    if (r.group) fields.push(`*Group*\n${esc(r.group)}`);
    if (r.product)
      fields.push(
        `*Product*\n${r.product.name ? `${esc(r.product.name)} (#${r.product.id})` : `#${r.product.id}`}`,
      );
    if (r.mobileData) fields.push(`*Mobile data*\n${esc(r.mobileData)}`);
    if (r.homeLocation) fields.push(`*Home location*\n${esc(r.homeLocation)}`);
  }
  const qr = {
    below: '📷 The eSIM QR code follows. Whoever scans it first gets the line.',
    dm: `📬 The eSIM QR code was sent to ${mention(r.userId)} in a direct message.`,
    physical: '💳 Physical SIM: there is no QR code to scan.',
    failed: `⚠️ The QR code could not be posted; ${mention(r.userId)} can try again with \`/onsim qr ${esc(mpn)}\`.`,
  }[r.qr];
  return {
    text: `✅ ${mpn} provisioned (${FLAVOUR_LABEL[r.flavour]}) by ${mention(r.userId)}`,
    blocks: [section(head), { type: 'section', fields: fields.map(field) }, context(qr)],
  };
}

/**
 * The SIP credentials, for the submitter only (ephemeral), once. The password is in a plain_text
 * block only: not in the fallback text, which notifications and logs may show.
 */
export function sipCredentialsMessage(c: {
  mpn: string;
  username: string | undefined;
  /** Undefined: the submitter typed it and knows it. */
  password: string | undefined;
}): Message {
  const mpn = formatMpn(c.mpn);
  const lines = [
    `SIP username: ${c.username ?? 'not returned by ONSIM'}`,
    `SIP password: ${c.password ?? 'the one you typed in the form'}`,
  ];
  return {
    text: `🔐 SIP credentials for ${mpn} (only you can see them)`,
    blocks: [
      section(
        `🔐 *SIP credentials for ${mpn}* — only you can see this, and the bot will not show the password again. Copy it into the PBX now.`,
      ),
      { type: 'section', text: plainText(lines.join('\n'), false) },
    ],
  };
}
