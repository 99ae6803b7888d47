import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { perform } from '../guard/perform.js';
import type { Logger } from '../logger.js';
import { BundleSku } from '../onsim/account.js';
import { EXAMPLES, formatMpn, parseMpn } from '../onsim/identifiers.js';
import type { CatalogueBundle } from '../onsim/reseller.js';
import { ackTimeLeft } from '../slack/ack-budget.js';
import { describeFailure } from '../slack/failure.js';
import type { ButtonHandler, SubmissionHandler } from '../slack/handlers.js';
import { type Message, plain } from '../slack/message.js';
import { formNotOpened, openThenFill } from '../slack/modal.js';
import { type Recipient, tellUser } from '../slack/tell.js';
import { esc, mention } from '../slack/text.js';
import { viewSubmission } from '../slack/view-submission.js';
import {
  BUNDLE_TITLE,
  bundleChoices,
  bundleLoadingModal,
  bundleMetadata,
  bundleModal,
  DOCUMENTED_BUNDLES,
  FIELD_BUNDLE_SKU,
  normaliseSku,
  parseBundleSubmission,
} from '../views/bundle.js';
import { SLASH_COMMAND } from '../views/rerun.js';
import { cardFormButton } from './card-button.js';
import { reportOutcome, within } from './change-flow.js';
import { openSubmission, submitted } from './form-submission.js';
import type { Subcommand } from './types.js';

export const BUNDLE_OPERATION = 'change bundle';
const USAGE = 'bundle <mpn> <BASE | UNLIMITED | SKU>';
/** How long a form submission waits for the catalogue (Slack wants the ack within 3 s). */
const CATALOGUE_CHECK_MS = 1_500;
/** How many catalogue SKUs a "not in the catalogue" answer lists. */
const MAX_LISTED_SKUS = 40;

const usageLine = (): string =>
  `Usage: \`${SLASH_COMMAND} ${esc(USAGE)}\`, e.g. \`${SLASH_COMMAND} bundle ${EXAMPLES.mpn} UNLIMITED\`. With only the number, a form lets you choose the bundle.`;

/**
 * The SKU as ONSIM spells it. BASE and UNLIMITED are documented for every reseller; any other
 * SKU must be in the catalogue (matched without regard to case).
 */
async function resolveSku(
  deps: AppDeps,
  typed: string,
): Promise<{ ok: true; sku: string } | { ok: false; unknown: string[] | null; message: string }> {
  const sku = normaliseSku(typed);
  if (DOCUMENTED_BUNDLES.some((b) => b.sku === sku)) return { ok: true, sku };
  let bundles: CatalogueBundle[];
  try {
    bundles = (await deps.onsim.reseller.getCatalogue()).bundles;
  } catch (err) {
    return {
      ok: false,
      unknown: null,
      message: describeFailure(err, `read the catalogue to check the bundle \`${esc(sku)}\``),
    };
  }
  const found = bundles.find((b) => b.sku.toLowerCase() === sku.toLowerCase());
  if (found) return { ok: true, sku: found.sku };
  const skus = bundleChoices(bundles).map((b) => b.sku);
  const listed = skus.slice(0, MAX_LISTED_SKUS).map((s) => `\`${esc(s)}\``);
  const more = skus.length > MAX_LISTED_SKUS ? ` and ${skus.length - MAX_LISTED_SKUS} more` : '';
  const example = skus.find((s) => !DOCUMENTED_BUNDLES.some((b) => b.sku === s)) ?? 'UNLIMITED';
  return {
    ok: false,
    unknown: skus,
    message: `⚠️ \`${esc(sku)}\` is not a bundle in ONSIM's catalogue, so nothing was changed. The bundles are: ${listed.join(', ')}${more}. Example: \`${SLASH_COMMAND} bundle ${EXAMPLES.mpn} ${esc(example)}\` (\`${SLASH_COMMAND} catalogue\` describes them).`,
  };
}

/** Changes the bundle at ONSIM (audited), records it in the channel and answers the requester. */
async function changeBundle(
  deps: AppDeps,
  client: WebClient,
  who: Recipient,
  mpn: string,
  sku: string,
  answer: (msg: Message) => Promise<void>,
  confirm: 'always' | 'when_unrecorded',
): Promise<void> {
  const shown = esc(formatMpn(mpn));
  const outcome = await perform(
    deps,
    client,
    { ...who, operation: BUNDLE_OPERATION, target: mpn, detail: `to ${sku}` },
    () => deps.onsim.account.updateBundle(mpn, sku),
  );
  if (outcome.kind === 'succeeded')
    deps.logger.info({ mpn, bundle: sku, user: who.userId }, 'bundle changed');
  await reportOutcome(
    deps,
    client,
    who,
    outcome,
    {
      record: `📦 Bundle of ${shown} changed to *${esc(sku)}* by ${mention(who.userId)}`,
      done: `✅ The bundle of ${shown} is now *${esc(sku)}*.`,
      what: `change the bundle of ${shown} to \`${esc(sku)}\``,
    },
    answer,
    confirm,
  );
}

/** Opens the bundle form at once, then fills its list from the catalogue. */
async function openBundleForm(
  deps: AppDeps,
  client: WebClient,
  log: Logger,
  at: { triggerId: string; mpn: string; channelId: string | null },
): Promise<void> {
  await openThenFill(client, log, at.triggerId, bundleLoadingModal(at.mpn), async () => {
    const metadata = { mpn: at.mpn, channel: at.channelId };
    try {
      const { bundles } = await deps.onsim.reseller.getCatalogue();
      return bundleModal({ metadata, choices: bundleChoices(bundles) });
    } catch (err) {
      log.warn({ err }, 'could not read the catalogue for the bundle form');
      return bundleModal({
        metadata,
        choices: bundleChoices([]),
        note: `⚠️ ${describeFailure(err, 'read the bundle catalogue')} Meanwhile the list shows only BASE and UNLIMITED; type any other SKU below.`,
      });
    }
  });
}

/** The account card's "Change bundle" button: value = the MPN. */
export const onBundleButton = (deps: AppDeps): ButtonHandler =>
  cardFormButton(deps, {
    need: 'operator',
    operation: BUNDLE_OPERATION,
    form: 'the bundle form',
    parse: (value) => parseMpn(value, deps.config.defaultCountry),
    open: (client, log, at) =>
      openBundleForm(deps, client, log, { triggerId: at.triggerId, mpn: at.value, channelId: at.channelId }),
  });

export const onBundleSubmit = (deps: AppDeps): SubmissionHandler =>
  viewSubmission(deps, async ({ ack, body, view, client, context }) => {
    const form = await openSubmission(deps, client, submitted(body, view), {
      title: BUNDLE_TITLE,
      metadata: bundleMetadata,
      again: `${SLASH_COMMAND} bundle`,
      nothing: 'changed',
      need: 'operator',
      operation: BUNDLE_OPERATION,
      channel: (meta) => meta.channel,
      parse: parseBundleSubmission,
      target: (meta) => meta.mpn,
    });
    if (!form.ok) return void (await ack(form.answer));
    const { meta, who } = form;
    const typed = form.fields.bundle;
    // The same rule as the command: a SKU must be in the catalogue. Checked here when ONSIM
    // answers in time; otherwise ONSIM itself judges the SKU.
    const checked = await within(ackTimeLeft(context, CATALOGUE_CHECK_MS), resolveSku(deps, typed));
    if (!checked.timedOut && !checked.value.ok && checked.value.unknown) {
      const listed = checked.value.unknown.slice(0, MAX_LISTED_SKUS).join(', ');
      await ack({
        response_action: 'errors',
        errors: {
          [FIELD_BUNDLE_SKU]: `“${typed}” is not a bundle in ONSIM's catalogue. Its bundles are: ${listed}.`,
        },
      });
      return;
    }
    const bundle = !checked.timedOut && checked.value.ok ? checked.value.sku : typed;
    await ack();
    await changeBundle(
      deps,
      client,
      who,
      meta.mpn,
      bundle,
      (msg) => tellUser(deps, client, who, msg),
      'when_unrecorded',
    );
  });

export const bundle: Subcommand = {
  name: 'bundle',
  usage: USAGE,
  summary: 'Change the data bundle of a line (a form when no bundle is given)',
  role: 'operator',
  operation: BUNDLE_OPERATION,
  async run(inv, deps) {
    const country = deps.config.defaultCountry;
    if (inv.args.length === 0) {
      await inv.reply(plain(`Which number, and which bundle? ${usageLine()}`));
      return;
    }
    // `bundle 07700 900123`: the whole text is a number, so the form chooses the bundle.
    const whole = parseMpn(inv.args.join(' '), country);
    if (whole.ok) {
      if (!inv.triggerId) {
        await inv.reply(
          plain(`Type \`${SLASH_COMMAND} bundle …\` yourself to open the bundle form. ${usageLine()}`),
        );
        return;
      }
      inv.answeringInModal();
      try {
        await openBundleForm(deps, inv.client, inv.log, {
          triggerId: inv.triggerId,
          mpn: whole.value,
          channelId: inv.channelId,
        });
      } catch (err) {
        inv.log.warn({ err }, 'could not open the bundle form');
        await inv.reply(formNotOpened(err, 'the bundle form', `Type \`${SLASH_COMMAND} bundle …\` again.`));
      }
      return;
    }
    const typedBundle = inv.args.at(-1) ?? '';
    const typedMpn = inv.args.slice(0, -1).join(' ');
    if (typedMpn === '') {
      await inv.reply(plain(`⚠️ ${esc(whole.error)}\n${usageLine()}`));
      return;
    }
    const mpn = parseMpn(typedMpn, country);
    if (!mpn.ok) {
      await inv.reply(plain(`⚠️ ${esc(mpn.error)}\n${usageLine()}`));
      return;
    }
    const sku = BundleSku.safeParse(typedBundle);
    if (!sku.success) {
      await inv.reply(
        plain(`⚠️ ${esc(sku.error.issues[0]?.message ?? 'That is not a bundle SKU.')}\n${usageLine()}`),
      );
      return;
    }
    const resolved = await resolveSku(deps, sku.data);
    if (!resolved.ok) {
      await inv.reply(plain(resolved.message));
      return;
    }
    await changeBundle(
      deps,
      inv.client,
      { userId: inv.userId, channelId: inv.channelId },
      mpn.value,
      resolved.sku,
      (msg) => inv.reply(msg),
      'always',
    );
  },
};
