// The "Change bundle" modal: a list of BASE, UNLIMITED and the catalogue's bundles, or a typed SKU.
import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import { BundleSku } from '../onsim/account.js';
import { formatMpn } from '../onsim/identifiers.js';
import type { CatalogueBundle } from '../onsim/reseller.js';
import { context, option, plainText, section, selectInput, textInput } from '../slack/blocks.js';
import { jsonCodec } from '../slack/metadata.js';
import { esc } from '../slack/text.js';
import { loadingModal } from './confirm.js';
import { readForm } from './form-state.js';

export const BUNDLE_CALLBACK_ID = 'bundle_change';
/** The select of known bundles (block_id = action_id). */
export const FIELD_BUNDLE = 'bundle';
/** The free-text SKU (block_id = action_id). */
export const FIELD_BUNDLE_SKU = 'bundle_sku';
export const BUNDLE_TITLE = 'Change bundle';

export interface BundleChoice {
  sku: string;
  name: string;
}

/** The two bundles ONSIM documents for every reseller, whatever its catalogue says. */
export const DOCUMENTED_BUNDLES: readonly BundleChoice[] = [
  { sku: 'BASE', name: 'No data: calls and SMS only' },
  { sku: 'UNLIMITED', name: 'Unlimited data' },
];

/** `unlimited` → `UNLIMITED`; any other SKU as typed (catalogue SKUs are matched by the caller). */
export function normaliseSku(sku: string): string {
  const trimmed = sku.trim();
  const documented = DOCUMENTED_BUNDLES.find((b) => b.sku.toLowerCase() === trimmed.toLowerCase());
  return documented ? documented.sku : trimmed;
}

/** BASE and UNLIMITED first, then the catalogue's bundles with a valid SKU, each SKU once (Slack allows 100). */
export function bundleChoices(catalogue: readonly CatalogueBundle[]): BundleChoice[] {
  const seen = new Set<string>();
  const out: BundleChoice[] = [];
  for (const b of [...DOCUMENTED_BUNDLES, ...catalogue.map((c) => ({ sku: c.sku, name: c.name }))]) {
    const key = b.sku.toLowerCase();
    if (seen.has(key) || !BundleSku.safeParse(b.sku).success) continue;
    seen.add(key);
    out.push(b);
  }
  return out.slice(0, 100);
}

const BundleMetadata = z.object({
  /** E.164 digits. */
  mpn: z.string().regex(/^\d{8,15}$/),
  /** Where the record of the change goes: the command's channel or the card's. */
  channel: z.string().min(1).max(40).nullable(),
});
export type BundleMetadata = z.infer<typeof BundleMetadata>;

export const bundleMetadata = jsonCodec(BundleMetadata);

export function bundleLoadingModal(mpn: string): ModalView {
  return loadingModal(BUNDLE_TITLE, `Reading ONSIM's bundle catalogue for ${esc(formatMpn(mpn))}…`);
}

const bundleOption = (b: BundleChoice) =>
  option(b.name && b.name !== b.sku ? `${b.sku} — ${b.name}` : b.sku, b.sku);

export interface BundleModalInput {
  metadata: BundleMetadata;
  choices: readonly BundleChoice[];
  /** mrkdwn, escaped: shown when the catalogue could not be read. */
  note?: string;
}

export function bundleModal(input: BundleModalInput): ModalView {
  const { metadata, choices, note } = input;
  const blocks: KnownBlock[] = [
    section(
      `Change the data bundle of *${esc(formatMpn(metadata.mpn))}*. Choose one from the list, or type a SKU the list does not show.`,
    ),
    selectInput(FIELD_BUNDLE, 'Bundle', choices.map(bundleOption), {
      optional: true,
      placeholder: 'Choose a bundle',
    }),
    textInput(FIELD_BUNDLE_SKU, 'Or a bundle SKU', {
      optional: true,
      hint: 'Only when the list does not have it: letters, digits, dot, dash or underscore.',
      placeholder: 'e.g. DATA-10GB',
      maxLength: 64,
    }),
  ];
  if (note) blocks.push(context(note));
  return {
    type: 'modal',
    callback_id: BUNDLE_CALLBACK_ID,
    title: plainText(BUNDLE_TITLE),
    submit: plainText('Change bundle'),
    close: plainText('Cancel'),
    private_metadata: bundleMetadata.encode(metadata),
    blocks,
  };
}

export type BundleSubmission = { ok: true; bundle: string } | { ok: false; errors: Record<string, string> };

/** One of the two: the chosen bundle or the typed SKU (checked with ONSIM's SKU rule). */
export function parseBundleSubmission(values: unknown): BundleSubmission {
  const form = readForm(values);
  const chosen = form.choice(FIELD_BUNDLE);
  const typedRaw = form.text(FIELD_BUNDLE_SKU)?.trim() ?? '';
  const typed = typedRaw === '' ? undefined : typedRaw;

  if (typed === undefined) {
    if (chosen !== undefined) return { ok: true, bundle: chosen };
    return {
      ok: false,
      errors: { [FIELD_BUNDLE]: 'Choose a bundle from the list, or type its SKU in the box below.' },
    };
  }
  const sku = BundleSku.safeParse(typed);
  if (!sku.success) {
    return {
      ok: false,
      errors: { [FIELD_BUNDLE_SKU]: sku.error.issues[0]?.message ?? 'That is not a bundle SKU.' },
    };
  }
  const bundle = normaliseSku(sku.data);
  if (chosen !== undefined && chosen.toLowerCase() !== bundle.toLowerCase()) {
    return {
      ok: false,
      errors: {
        [FIELD_BUNDLE_SKU]: `Choose from the list or type a SKU, not both: the list says ${chosen}, this box says ${bundle}. Empty one of them.`,
      },
    };
  }
  return { ok: true, bundle: chosen ?? bundle };
}
