// `/onsim provision`, the global shortcut and the App Home button: one modal for both ONSIM
// flavours. The modal opens at once (cached lists, else a loading view filled in by views.update);
// the submission is validated inside the ack with the ONSIM layer's rules and the role is checked
// again; then ONSIM is asked (audited), the channel gets a record and the QR, and the submitter
// alone sees the SIP password.
//
// Where the record and QR go: the channel /onsim was typed in. From the shortcut or App Home there
// is none, so the form asks (conversations_select, optional); left empty, or if the bot may not
// post there, they go to the submitter's DM with the bot.
import type { BlockAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { authorize } from '../guard/authorize.js';
import { perform } from '../guard/perform.js';
import type { Logger } from '../logger.js';
import { formatMpn } from '../onsim/identifiers.js';
import type { ProvisionResult } from '../onsim/reseller.js';
import { postQr } from '../qr/post.js';
import { ackTimeLeft } from '../slack/ack-budget.js';
import { openDm } from '../slack/dm.js';
import { shownCode, slackErrorCode } from '../slack/error-code.js';
import { describeFailure } from '../slack/failure.js';
import type { BlockActionHandler, ShortcutHandler, SubmissionHandler } from '../slack/handlers.js';
import { badge, plain } from '../slack/message.js';
import { openThenFill } from '../slack/modal.js';
import { postRecord } from '../slack/record.js';
import { tellUser } from '../slack/tell.js';
import { echo } from '../slack/text.js';
import { viewSubmission } from '../slack/view-submission.js';
import {
  checkOnsimChoices,
  FLAVOUR_LABEL,
  type ListsState,
  PROVISION_TITLE,
  ProvisionFlavour,
  type ProvisionLists,
  type ProvisionSubmission,
  parseProvisionSubmission,
  provisionedRecord,
  provisionMetadata,
  provisionModal,
  provisionRefusedModal,
  sipCredentialsMessage,
} from '../views/provision.js';
import { within } from './change-flow.js';
import { openSubmission, submitted } from './form-submission.js';
import { cachedProvisionLists, loadProvisionLists } from './provision-lists.js';
import { describeQrFailure } from './qr.js';
import type { Subcommand } from './types.js';

const OPERATION = 'provision';
/** A command that took longer than this may have shown the router's "Asking ONSIM…" note: replace it. */
const SLOW_MS = 1000;
/** How long a submission may wait for ONSIM's lists (not cached) to check the group and product. */
const LISTS_CHECK_MS = 1_500;

interface FormPlace {
  flavour: ProvisionFlavour;
  /** Null: opened from the shortcut or App Home; the form asks where to report. */
  channelId: string | null;
}

type FormResult =
  | { opened: false; slackError: string | undefined }
  | { opened: true; lists: 'ready' | 'failed' };

function modalFor(deps: AppDeps, place: FormPlace, lists: ListsState) {
  return provisionModal({ ...place, lists, qrDelivery: deps.config.qrDelivery });
}

/** ONSIM's groups and products for the form (sharing a load under way), or why they are missing. */
async function loadLists(deps: AppDeps, log: Logger, force = false): Promise<ListsState> {
  try {
    return { status: 'ready', lists: await loadProvisionLists(deps.onsim, deps.now, { force }) };
  } catch (err) {
    log.warn({ err }, 'could not load groups and catalogue for the provisioning form');
    return { status: 'failed', message: describeFailure(err, 'get your customer groups and products') };
  }
}

/**
 * Loads the lists and puts the result into the open view. A `hash_conflict` means the user
 * switched flavour meanwhile: that handler shows its own result.
 */
async function fillLists(
  deps: AppDeps,
  client: WebClient,
  view: { id: string; hash: string | undefined },
  place: FormPlace,
  log: Logger,
  force = false,
): Promise<void> {
  const lists = await loadLists(deps, log, force);
  try {
    await client.views.update({
      view_id: view.id,
      ...(view.hash ? { hash: view.hash } : {}),
      view: modalFor(deps, place, lists),
    });
  } catch (err) {
    const code = slackErrorCode(err);
    if (code === 'hash_conflict' || code === 'not_found')
      log.debug({ code }, 'provisioning form changed or closed');
    else log.warn({ err }, 'could not update the provisioning form');
  }
}

/** Opens the form within the trigger's 3 s: with the cached lists, else loading, then filled in. */
async function openForm(
  deps: AppDeps,
  client: WebClient,
  triggerId: string,
  place: FormPlace,
  log: Logger,
): Promise<FormResult> {
  const cached = cachedProvisionLists(deps.onsim, deps.now());
  let lists: 'ready' | 'failed' = 'ready';
  try {
    if (cached || place.flavour === 'pbx') {
      // Own PBX needs no lists; a later switch to ONSIM UC loads them.
      const state: ListsState = cached ? { status: 'ready', lists: cached } : { status: 'loading' };
      await client.views.open({ trigger_id: triggerId, view: modalFor(deps, place, state) });
    } else {
      await openThenFill(client, log, triggerId, modalFor(deps, place, { status: 'loading' }), async () => {
        const state = await loadLists(deps, log);
        if (state.status !== 'ready') lists = 'failed';
        return modalFor(deps, place, state);
      });
    }
  } catch (err) {
    log.warn({ err }, 'could not open the provisioning form');
    return { opened: false, slackError: slackErrorCode(err) };
  }
  return { opened: true, lists };
}

/** Shows `place.flavour` in an open form, loading the lists first when that flavour needs them. */
async function showFlavour(
  deps: AppDeps,
  client: WebClient,
  view: { id: string; hash: string | undefined },
  place: FormPlace,
  log: Logger,
  force = false,
): Promise<void> {
  const cached = force ? undefined : cachedProvisionLists(deps.onsim, deps.now());
  if (cached || place.flavour === 'pbx') {
    await client.views.update({
      view_id: view.id,
      ...(view.hash ? { hash: view.hash } : {}),
      view: modalFor(deps, place, cached ? { status: 'ready', lists: cached } : { status: 'loading' }),
    });
    return;
  }
  const loading = await client.views.update({
    view_id: view.id,
    ...(view.hash ? { hash: view.hash } : {}),
    view: modalFor(deps, place, { status: 'loading' }),
  });
  await fillLists(deps, client, { id: view.id, hash: loading.view?.hash }, place, log, force);
}

function flavourArg(word: string | undefined): ProvisionFlavour | null {
  const w = (word ?? '').toLowerCase();
  if (w === '' || w === 'uc' || w === 'onsim') return 'onsim';
  if (w === 'pbx') return 'pbx';
  return null;
}

export const provision: Subcommand = {
  name: 'provision',
  usage: 'provision [uc | pbx]',
  summary: 'Provision a SIM from a form (ONSIM UC or own PBX); its QR is posted here',
  role: 'operator',
  operation: OPERATION,
  async run(inv, deps) {
    const flavour = flavourArg(inv.args[0]);
    if (flavour === null) {
      await inv.reply(
        plain(
          `⚠️ ${echo(inv.args[0] ?? '')} is not a kind of line. Type \`/onsim provision\` (ONSIM UC), \`/onsim provision uc\` or \`/onsim provision pbx\` (own PBX).`,
        ),
      );
      return;
    }
    if (!inv.triggerId) {
      await inv.reply(plain('Type `/onsim provision` to open the provisioning form.'));
      return;
    }
    const started = performance.now();
    const result = await openForm(
      deps,
      inv.client,
      inv.triggerId,
      { flavour, channelId: inv.channelId },
      inv.log,
    );
    if (!result.opened) {
      await inv.reply(
        plain(
          `⚠️ Slack would not open the provisioning form${result.slackError ? ` (${shownCode(result.slackError)})` : ''}. Type \`/onsim provision\` again.`,
        ),
      );
      return;
    }
    if (performance.now() - started > SLOW_MS) {
      await inv.reply(
        plain(
          result.lists === 'ready'
            ? '📝 The provisioning form is ready.'
            : '⚠️ The provisioning form is open, but ONSIM did not send your groups and products; the form says what to do.',
        ),
      );
    }
  },
};

// ---- After a valid submission --------------------------------------------------------------

type Valid = Extract<ProvisionSubmission, { ok: true }>;

function auditDetail(s: Valid): string {
  const sim = s.input.iccid ? `ICCID ${s.input.iccid}` : 'next free eSIM';
  if (s.flavour === 'pbx')
    return `own PBX, ${sim}${s.input.pbx_user ? `, SIP user ${s.input.pbx_user}` : ''}`;
  return `ONSIM UC, ${sim}, group ${s.input.group_name}, product ${s.input.product}, data ${s.input.mobile_data}, home ${s.input.home_location}`;
}

async function provisionAndReport(
  deps: AppDeps,
  client: WebClient,
  submission: Valid,
  who: { userId: string; channelId: string | null },
  log: Logger,
): Promise<void> {
  const { userId } = who;
  const mpn = submission.input.mpn;
  const shown = formatMpn(mpn);
  const channelId = who.channelId ?? submission.reportChannel ?? (await openDm(client, userId));
  const outcome = await perform<ProvisionResult>(
    deps,
    client,
    { userId, channelId, operation: OPERATION, target: mpn, detail: auditDetail(submission) },
    () =>
      submission.flavour === 'onsim'
        ? deps.onsim.reseller.provisionOnsim(submission.input)
        : deps.onsim.reseller.provisionOwnPbx(submission.input),
  );
  const what = `provision ${shown} (${FLAVOUR_LABEL[submission.flavour]})`;
  if (outcome.kind === 'outcome_unknown') {
    // A generated SIP password is lost with the answer: say how to set one.
    const password =
      submission.flavour === 'pbx' && submission.input.pbx_password !== undefined
        ? ''
        : ` Its SIP password never reached the bot: set a new one with \`/onsim settings ${shown}\`.`;
    await tellUser(
      deps,
      client,
      { userId, channelId },
      plain(
        `${describeFailure(outcome.error, what)}\nTo check, type \`/onsim account ${shown}\`: if it shows the account, the line was provisioned (then \`/onsim qr ${shown}\` posts its QR code).${password} If ONSIM finds nothing, open the form again.`,
      ),
    );
    return;
  }
  if (outcome.kind === 'failed') {
    await tellUser(deps, client, { userId, channelId }, plain(describeFailure(outcome.error, what)));
    return;
  }

  const result = outcome.value;
  const iccid = result.iccid?.replace(/^ONSIM/i, '');
  const qrPlan = result.esim_code ? (deps.config.qrDelivery === 'dm' ? 'dm' : 'below') : 'physical';
  const product =
    submission.flavour === 'onsim'
      ? {
          id: submission.input.product,
          name: cachedProvisionLists(deps.onsim, deps.now())?.products.find(
            (p) => p.id === submission.input.product,
          )?.name,
        }
      : undefined;
  const record = {
    flavour: submission.flavour,
    mpn,
    iccid,
    userId,
    ...(submission.flavour === 'onsim'
      ? {
          group: submission.input.group_name,
          product,
          mobileData: submission.input.mobile_data,
          homeLocation: submission.input.home_location,
        }
      : {}),
  } as const;
  log.info({ mpn, iccid, flavour: submission.flavour }, 'provisioned');

  // The line exists whatever happens to the record: carry on, so the password and QR still arrive.
  const posted = (await postRecord(deps, client, channelId, provisionedRecord({ ...record, qr: qrPlan }), {
    dmFallback: userId,
  })) ?? { channelId, ts: undefined };

  const typedPassword = submission.flavour === 'pbx' && submission.input.pbx_password !== undefined;
  const username = (submission.flavour === 'pbx' ? submission.input.pbx_user : undefined) ?? result.iccid;
  if (result.pbx_password !== undefined || username !== undefined) {
    await tellUser(
      deps,
      client,
      { userId, channelId: posted.channelId },
      sipCredentialsMessage({ mpn, username, password: typedPassword ? undefined : result.pbx_password }),
      { secret: true },
    );
  }

  if (!result.esim_code) return;
  try {
    await postQr(deps, client, {
      esimCode: result.esim_code,
      mpn,
      requesterId: userId,
      channelId: posted.channelId,
    });
  } catch (err) {
    log.warn({ err }, 'QR after provisioning failed');
    if (posted.ts) {
      const failed = badge(provisionedRecord({ ...record, qr: 'failed' }), deps.sandbox);
      await client.chat
        .update({ channel: posted.channelId, ts: posted.ts, text: failed.text, blocks: failed.blocks })
        .catch((updateErr: unknown) => log.warn({ err: updateErr }, 'could not update the record'));
    }
    await tellUser(
      deps,
      client,
      { userId, channelId: posted.channelId },
      plain(
        `${describeQrFailure(err, shown)}\nThe line is provisioned; try \`/onsim qr ${shown}\` to post its QR code.`,
      ),
    );
  }
}

// ---- Listeners -----------------------------------------------------------------------------

/**
 * ONSIM's groups and products to check a submission against: the cached lists (loaded when the
 * form opened), else a fresh load if ONSIM answers within LISTS_CHECK_MS (the submission must be
 * answered within 3 s). Undefined when neither: ONSIM then judges the group and product itself.
 */
async function listsForCheck(
  deps: AppDeps,
  log: Logger,
  waitMs: number,
): Promise<ProvisionLists | undefined> {
  const cached = cachedProvisionLists(deps.onsim, deps.now());
  if (cached) return cached;
  try {
    const answer = await within(waitMs, loadProvisionLists(deps.onsim, deps.now));
    if (!answer.timedOut) return answer.value;
    log.info('groups and catalogue too slow to check the submission; ONSIM will judge them');
  } catch (err) {
    log.info({ err }, 'could not load groups and catalogue to check the submission; ONSIM will judge them');
  }
  return undefined;
}

function selectedValue(action: BlockAction['actions'][number]): string | undefined {
  return 'selected_option' in action && action.selected_option ? action.selected_option.value : undefined;
}

/**
 * The form opened from the shortcut or App Home: there is no channel, so the role is checked here
 * and a refusal shown in a modal.
 */
export async function openProvisionFormOutsideChannel(
  deps: AppDeps,
  client: WebClient,
  at: { userId: string; triggerId: string; source: 'shortcut' | 'home' },
): Promise<void> {
  const { userId, triggerId } = at;
  const log = deps.logger.child({ name: 'provision', user: userId, source: at.source });
  const auth = await authorize(deps, client, { userId, channelId: null }, 'operator', OPERATION, null);
  if (!auth.ok) {
    await client.views
      .open({ trigger_id: triggerId, view: provisionRefusedModal(auth.message) })
      .catch((err: unknown) => log.warn({ err }, 'could not show the refusal'));
    return;
  }
  const result = await openForm(deps, client, triggerId, { flavour: 'onsim', channelId: null }, log);
  if (!result.opened) {
    const dm = await openDm(client, userId);
    const code = result.slackError ? ` (${shownCode(result.slackError)})` : '';
    await client.chat.postMessage({
      channel: dm,
      ...badge(
        plain(
          `⚠️ Slack would not open the provisioning form${code}. Try again, or type \`/onsim provision\` in a channel.`,
        ),
        deps.sandbox,
      ),
    });
  }
}

/** The "Provision a SIM" global shortcut. */
export const onProvisionShortcut =
  (deps: AppDeps): ShortcutHandler =>
  async ({ ack, shortcut, client }) => {
    await ack();
    await openProvisionFormOutsideChannel(deps, client, {
      userId: shortcut.user.id,
      triggerId: shortcut.trigger_id,
      source: 'shortcut',
    });
  };

/** The form's ONSIM UC / own PBX choice: the form changes to that flavour. */
export const onProvisionFlavour =
  (deps: AppDeps): BlockActionHandler =>
  async ({ ack, body, action, client }) => {
    await ack();
    const log = deps.logger.child({ name: 'provision', user: body.user.id });
    const meta = provisionMetadata.decode(body.view?.private_metadata);
    const flavour = ProvisionFlavour.safeParse(selectedValue(action));
    if (!body.view || !meta || !flavour.success) {
      log.warn('flavour switch on a view that is not the provisioning form');
      return;
    }
    if (flavour.data === meta.flavour) return;
    try {
      await showFlavour(deps, client, body.view, { flavour: flavour.data, channelId: meta.channelId }, log);
    } catch (err) {
      log.warn({ err }, 'could not switch the provisioning form');
    }
  };

/** "Try again" when ONSIM's lists could not be loaded into the form. */
export const onProvisionRetry =
  (deps: AppDeps): BlockActionHandler =>
  async ({ ack, body, client }) => {
    await ack();
    const log = deps.logger.child({ name: 'provision', user: body.user.id });
    const meta = provisionMetadata.decode(body.view?.private_metadata);
    if (!body.view || !meta) return;
    try {
      await showFlavour(deps, client, body.view, meta, log, true);
    } catch (err) {
      log.warn({ err }, 'could not reload the provisioning form');
    }
  };

export const onProvisionSubmit = (deps: AppDeps): SubmissionHandler =>
  viewSubmission(deps, async ({ ack, body, view, client, context }) => {
    const userId = body.user.id;
    const log = deps.logger.child({ name: 'provision', user: userId });
    const form = await openSubmission(deps, client, submitted(body, view), {
      title: PROVISION_TITLE,
      metadata: provisionMetadata,
      again: '/onsim provision',
      nothing: 'provisioned',
      need: 'operator',
      operation: OPERATION,
      channel: (meta) => meta.channelId,
      parse: (values, meta) =>
        parseProvisionSubmission(values, meta.flavour, { defaultCountry: deps.config.defaultCountry }),
      target: (_meta, fields) => fields?.input.mpn ?? null,
    });
    if (!form.ok) return void (await ack(form.answer));
    const { meta, fields: parsed } = form;
    let valid: Valid = parsed;
    if (parsed.flavour === 'onsim') {
      const lists = await listsForCheck(deps, log, ackTimeLeft(context, LISTS_CHECK_MS));
      const checked = lists ? checkOnsimChoices(parsed.input, lists) : null;
      if (checked && !checked.ok) {
        await ack({ response_action: 'errors', errors: checked.errors });
        return;
      }
      if (checked) valid = { ...parsed, input: checked.input };
    }
    await ack();
    try {
      await provisionAndReport(deps, client, valid, { userId, channelId: meta.channelId }, log);
    } catch (err) {
      log.error({ err }, 'provisioning report failed');
      const where = meta.channelId ?? parsed.reportChannel;
      await tellUser(
        deps,
        client,
        { userId, channelId: where ?? null },
        plain(
          `${describeFailure(err, `report on provisioning ${formatMpn(parsed.input.mpn)}`)} Check with \`/onsim account ${formatMpn(parsed.input.mpn)}\`.`,
        ),
      );
    }
  });
