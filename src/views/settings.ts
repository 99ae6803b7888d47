// The mobile settings modal: names and email prefilled from the account, each service as an
// on/off choice, and an optional new number, SIP user and SIP password. Only changed fields
// are sent; the prefilled values travel in private_metadata to tell what changed (never the
// password, which is never prefilled).

import type { InputBlock, KnownBlock, ModalView } from '@slack/types';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { type Account, MobileSettings } from '../onsim/account.js';
import { formatMpn, parseMpn } from '../onsim/identifiers.js';
import { OnOff } from '../onsim/shapes.js';
import { option, plainText, section, selectInput, textInput } from '../slack/blocks.js';
import { jsonCodec } from '../slack/metadata.js';
import { clip, esc } from '../slack/text.js';
import { loadingModal } from './confirm.js';
import { readForm } from './form-state.js';

export const SETTINGS_CALLBACK_ID = 'mobile_settings';
export const SETTINGS_TITLE = 'Mobile settings';

/** block_id = action_id = the ONSIM field each input fills. */
export const NAME_FIELDS = ['first_name', 'last_name', 'email'] as const;
export const SERVICE_FIELDS = ['mobile_data', 'mobile_voice', 'mobile_sms', 'mobile_hotspot'] as const;
export const FIELD_NEW_MPN = 'mpn';
export const FIELD_PBX_USER = 'pbx_user';
export const FIELD_PBX_PASSWORD = 'pbx_password';

type NameField = (typeof NAME_FIELDS)[number];
type ServiceField = (typeof SERVICE_FIELDS)[number];

const LABELS: Record<NameField | ServiceField | 'mpn' | 'pbx_user' | 'pbx_password', string> = {
  first_name: 'First name',
  last_name: 'Last name',
  email: 'Email',
  mobile_data: 'Mobile data',
  mobile_voice: 'Voice calls',
  mobile_sms: 'SMS',
  mobile_hotspot: 'Hotspot',
  mpn: 'New number (MPN)',
  pbx_user: 'SIP username',
  pbx_password: 'SIP password',
};

/** How the channel record names each change. */
const RECORD_WORDS: Record<NameField | ServiceField, string> = {
  first_name: 'first name',
  last_name: 'last name',
  email: 'email',
  mobile_data: 'data',
  mobile_voice: 'voice',
  mobile_sms: 'SMS',
  mobile_hotspot: 'hotspot',
};

/** What the form showed when it opened: the baseline for "changed". */
const Prefill = z.object({
  first_name: z.string().min(1).max(50).optional(),
  last_name: z.string().min(1).max(50).optional(),
  email: z.string().min(1).max(254).optional(),
  mobile_data: OnOff.optional(),
  mobile_voice: OnOff.optional(),
  mobile_sms: OnOff.optional(),
  mobile_hotspot: OnOff.optional(),
});
export type SettingsPrefill = z.infer<typeof Prefill>;

const SettingsMetadata = z.object({
  /** E.164 digits of the line being changed. */
  mpn: z.string().regex(/^\d{8,15}$/),
  channel: z.string().min(1).max(40).nullable(),
  prefill: Prefill,
});
export type SettingsMetadata = z.infer<typeof SettingsMetadata>;

export const settingsMetadata = jsonCodec(SettingsMetadata);

/**
 * The account's current values, where ONSIM gave them and they fit ONSIM's own rules (a value
 * that does not could not be sent back unchanged, so it is not prefilled). ONSIM's account
 * info calls SMS `mobile_messaging`; the settings call names it `mobile_sms`.
 */
export function settingsPrefill(account: Account): SettingsPrefill {
  const text = (value: string | undefined, max: number) => {
    const t = value?.trim();
    return t && t.length <= max ? t : undefined;
  };
  const s = account.services;
  const prefill: SettingsPrefill = {
    first_name: text(account.first_name, 50),
    last_name: text(account.last_name, 50),
    email: text(account.email, 254),
    mobile_data: s.mobile_data,
    mobile_voice: s.mobile_voice,
    mobile_sms: s.mobile_messaging,
    mobile_hotspot: s.mobile_hotspot,
  };
  // Drops the undefined keys, so private_metadata holds only what is known.
  return Prefill.parse(Object.fromEntries(Object.entries(prefill).filter(([, v]) => v !== undefined)));
}

export function settingsLoadingModal(mpn: string): ModalView {
  return loadingModal(SETTINGS_TITLE, `Reading the settings of ${esc(formatMpn(mpn))} from ONSIM…`);
}

const onOffOption = (value: 'ON' | 'OFF') => option(value === 'ON' ? 'On' : 'Off', value);

const fieldInput = (
  field: NameField | 'mpn' | 'pbx_user' | 'pbx_password',
  opts: { initial?: string; placeholder?: string; hint?: string; maxLength: number },
) => textInput(field, LABELS[field], { ...opts, optional: true, email: field === 'email' });

const serviceInput = (field: ServiceField, current: 'ON' | 'OFF' | undefined): InputBlock =>
  selectInput(field, LABELS[field], [onOffOption('ON'), onOffOption('OFF')], {
    radio: true,
    optional: true,
    hint: current ? undefined : 'ONSIM did not say; leave it to keep it.',
    initial: current ? onOffOption(current) : undefined,
  });

export interface SettingsModalInput {
  metadata: SettingsMetadata;
  /** The subscriber's name for the intro, when known. */
  name?: string;
}

export function settingsModal({ metadata, name }: SettingsModalInput): ModalView {
  const p = metadata.prefill;
  const who = `*${esc(formatMpn(metadata.mpn))}*${name ? ` · ${esc(clip(name, 100))}` : ''}`;
  const blocks: KnownBlock[] = [
    section(`Settings of ${who}. Only what you change is sent to ONSIM.`),
    section('*Subscriber*'),
    fieldInput('first_name', { initial: p.first_name, maxLength: 50 }),
    fieldInput('last_name', { initial: p.last_name, maxLength: 50 }),
    fieldInput('email', { initial: p.email, placeholder: 'e.g. j.smith@example.com', maxLength: 254 }),
    { type: 'divider' },
    section('*Services*'),
    ...SERVICE_FIELDS.map((f) => serviceInput(f, p[f])),
    { type: 'divider' },
    section('*Number and SIP* — leave empty to keep'),
    fieldInput('mpn', {
      placeholder: 'e.g. +44 7700 900201',
      hint: 'Moves this line to another of your numbers.',
      maxLength: 30,
    }),
    fieldInput('pbx_user', { placeholder: 'e.g. USER12345', maxLength: 64 }),
    fieldInput('pbx_password', {
      hint: '8 to 64 characters. Sent to ONSIM only: never shown in the channel, never kept by the bot.',
      maxLength: 64,
    }),
  ];
  return {
    type: 'modal',
    callback_id: SETTINGS_CALLBACK_ID,
    title: plainText(SETTINGS_TITLE),
    submit: plainText('Save changes'),
    close: plainText('Cancel'),
    private_metadata: settingsMetadata.encode(metadata),
    blocks,
  };
}

/** The changed fields, validated with ONSIM's rules (`mpn` as E.164 digits). */
export type SettingsChanges = z.output<typeof MobileSettings>;

export type SettingsSubmission =
  | { ok: true; changes: SettingsChanges }
  | { ok: false; errors: Record<string, string> };

/**
 * Compares what was submitted with what the form showed and validates only the differences.
 * Errors are keyed by block_id (= ONSIM field); "nothing changed" is an error too.
 */
export function parseSettingsSubmission(
  values: unknown,
  meta: Pick<SettingsMetadata, 'mpn' | 'prefill'>,
  defaultCountry: CountryCode,
): SettingsSubmission {
  const form = readForm(values);
  const typed = form.text;
  const chosen = form.choice;
  const errors: Record<string, string> = {};
  const candidate: Record<string, string> = {};

  for (const field of NAME_FIELDS) {
    const value = typed(field)?.trim() ?? '';
    const before = meta.prefill[field];
    if (value === '') {
      if (before !== undefined) {
        errors[field] =
          `ONSIM cannot clear the ${RECORD_WORDS[field]}: type a new one, or put back “${before}”.`;
      }
    } else if (value !== before) {
      candidate[field] = value;
    }
  }
  for (const field of SERVICE_FIELDS) {
    const value = chosen(field);
    if (value !== undefined && value !== meta.prefill[field]) candidate[field] = value;
  }
  const newMpn = typed(FIELD_NEW_MPN)?.trim() ?? '';
  if (newMpn !== '') {
    const parsed = parseMpn(newMpn, defaultCountry);
    if (!parsed.ok) errors[FIELD_NEW_MPN] = parsed.error;
    else if (parsed.value === meta.mpn)
      errors[FIELD_NEW_MPN] =
        `${formatMpn(meta.mpn)} is already this line's number; leave the box empty to keep it.`;
    else candidate[FIELD_NEW_MPN] = parsed.value;
  }
  const pbxUser = typed(FIELD_PBX_USER)?.trim() ?? '';
  if (pbxUser !== '') candidate[FIELD_PBX_USER] = pbxUser;
  const password = typed(FIELD_PBX_PASSWORD) ?? '';
  if (password.trim() !== '') candidate[FIELD_PBX_PASSWORD] = password;

  const checked = MobileSettings.safeParse(candidate);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = String(issue.path[0] ?? 'first_name');
      errors[field] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (!checked.success || Object.keys(checked.data).length === 0) {
    return { ok: false, errors: { first_name: 'Nothing to change: edit a field, or press Cancel.' } };
  }
  return { ok: true, changes: checked.data };
}

const onOffWord = (v: 'ON' | 'OFF') => (v === 'ON' ? '✅ on' : '⛔ off');

/**
 * The changes in words for the channel record, mrkdwn, escaped. The SIP password is named,
 * never shown.
 */
export function describeSettingsChanges(changes: SettingsChanges): string[] {
  const out: string[] = [];
  for (const field of NAME_FIELDS) {
    const value = changes[field];
    // The record is channel-visible: a new email address is personal data, so only its change is said.
    if (value === undefined) continue;
    out.push(field === 'email' ? 'email changed' : `${RECORD_WORDS[field]} → ${esc(clip(value, 100))}`);
  }
  for (const field of SERVICE_FIELDS) {
    const value = changes[field];
    if (value !== undefined) out.push(`${RECORD_WORDS[field]} ${onOffWord(value)}`);
  }
  if (changes.mpn !== undefined) out.push(`number → ${esc(formatMpn(changes.mpn))}`);
  if (changes.pbx_user !== undefined) out.push(`SIP username → ${esc(clip(changes.pbx_user, 100))}`);
  if (changes.pbx_password !== undefined) out.push('SIP password changed');
  return out;
}
