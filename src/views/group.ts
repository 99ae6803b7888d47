// The "Add a group" modal: ONSIM's group fields, checked with ONSIM's rules on submission.
import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import { EXAMPLES } from '../onsim/identifiers.js';
import { NewGroup } from '../onsim/reseller.js';
import { option, plainText, section, selectInput, textInput } from '../slack/blocks.js';
import { jsonCodec } from '../slack/metadata.js';
import { clip } from '../slack/text.js';
import { issuesToErrors, readForm } from './form-state.js';

export const GROUP_CALLBACK_ID = 'group_add';
export const GROUP_TITLE = 'Add a group';

/** block_id = action_id = the ONSIM field. */
export const FIELD_NAME = 'name';
export const FIELD_HOME_LOCATION = 'home_location';
const TEXT_FIELDS = [
  'name',
  'address_line_1',
  'address_line_2',
  'city',
  'country',
  'post_code',
  'description',
] as const;
type TextField = (typeof TEXT_FIELDS)[number];

/** ONSIM's values for a group's home location, with words for the select. */
export const GROUP_HOME_LOCATIONS = [
  { value: 'GBR', text: 'United Kingdom (GBR)' },
  { value: 'USA', text: 'United States (USA)' },
  { value: 'GBR,USA', text: 'Both (GBR,USA)' },
] as const;

const GroupMetadata = z.object({ channel: z.string().min(1).max(40).nullable() });
export type GroupMetadata = z.infer<typeof GroupMetadata>;

export const groupMetadata = jsonCodec(GroupMetadata);

const FIELDS: Record<
  TextField,
  { label: string; optional: boolean; max: number; placeholder?: string; hint?: string }
> = {
  name: {
    label: 'Group name',
    optional: false,
    max: 45,
    placeholder: `e.g. ${EXAMPLES.groupName}`,
    hint: '3 to 45 letters, digits, _ or -; starts with a letter or digit; no spaces. It cannot be changed later.',
  },
  address_line_1: {
    label: 'Address line 1',
    optional: false,
    max: 100,
    placeholder: 'e.g. Example Building',
  },
  address_line_2: { label: 'Address line 2', optional: true, max: 100 },
  city: { label: 'City', optional: true, max: 60 },
  country: { label: 'Country', optional: true, max: 60 },
  post_code: { label: 'Post code', optional: true, max: 16 },
  description: { label: 'Description', optional: true, max: 200, placeholder: 'e.g. Acme Ltd, sales team' },
};

function fieldInput(field: TextField, initial?: string) {
  const f = FIELDS[field];
  return textInput(field, f.label, {
    optional: f.optional,
    hint: f.hint,
    placeholder: f.placeholder,
    maxLength: f.max,
    initial: initial ? clip(initial, f.max) : undefined,
  });
}

const homeOption = (o: (typeof GROUP_HOME_LOCATIONS)[number]) => option(o.text, o.value);

export function groupModal(input: { metadata: GroupMetadata; name?: string }): ModalView {
  const blocks: KnownBlock[] = [
    section('A group is a customer company at ONSIM; subscribers are provisioned into it.'),
    fieldInput('name', input.name),
    selectInput(FIELD_HOME_LOCATION, 'Home location', GROUP_HOME_LOCATIONS.map(homeOption), {
      placeholder: 'Where its lines live',
    }),
    fieldInput('address_line_1'),
    fieldInput('address_line_2'),
    fieldInput('city'),
    fieldInput('post_code'),
    fieldInput('country'),
    fieldInput('description'),
  ];
  return {
    type: 'modal',
    callback_id: GROUP_CALLBACK_ID,
    title: plainText(GROUP_TITLE),
    submit: plainText('Add group'),
    close: plainText('Cancel'),
    private_metadata: groupMetadata.encode(input.metadata),
    blocks,
  };
}

export type GroupSubmission =
  | { ok: true; group: z.output<typeof NewGroup> }
  | { ok: false; errors: Record<string, string> };

/** The group as ONSIM takes it (empty optional fields left out), or errors keyed by block_id. */
export function parseGroupSubmission(values: unknown): GroupSubmission {
  const form = readForm(values);
  const input: Record<string, string> = {};
  for (const field of TEXT_FIELDS) {
    const value = form.text(field)?.trim();
    if (value) input[field] = value;
  }
  const home = form.choice(FIELD_HOME_LOCATION);
  if (home) input[FIELD_HOME_LOCATION] = home;
  // Required fields left empty are checked as '' so their own messages apply.
  const parsed = NewGroup.safeParse({ name: '', address_line_1: '', ...input });
  if (parsed.success) return { ok: true, group: parsed.data };
  return { ok: false, errors: issuesToErrors(parsed.error.issues, FIELD_NAME) };
}
