import type { WebClient } from '@slack/web-api';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { claimConfirmation, requestConfirmation, runConfirmed } from '../guard/confirmations.js';
import type { Outcome } from '../guard/perform.js';
import type { Logger } from '../logger.js';
import {
  formatMpn,
  luhnCheckDigit,
  parseIccid,
  parseMpn,
  recogniseIdentifier,
  type SubscriberRef,
} from '../onsim/identifiers.js';
import { describeFailure } from '../slack/failure.js';
import type { ButtonHandler, SubmissionHandler } from '../slack/handlers.js';
import { plain } from '../slack/message.js';
import { openThenFill, showOutcome } from '../slack/modal.js';
import { postRecord } from '../slack/record.js';
import { esc } from '../slack/text.js';
import { viewSubmission } from '../slack/view-submission.js';
import {
  CEASE_TITLE,
  type CeasePreview,
  ceaseModal,
  ceaseRecord,
  ceaseUnknownRecord,
  describeSim,
  FIELD_CONFIRM_ICCID,
  FIELD_CONFIRM_MPN,
} from '../views/cease.js';
import { loadingModal, noticeModal } from '../views/confirm.js';
import { readForm } from '../views/form-state.js';
import { cardFormButton } from './card-button.js';
import { loadConfirmationForm } from './form-submission.js';
import type { Subcommand } from './types.js';

export const CEASE_OPERATION = 'cease';

/** What the confirmation holds: the SIM to cease and, when known, its MPN for the typed check. */
const CeasePayload = z.object({ iccid: z.string().regex(/^\d{19}$/), mpn: z.string().nullable() });
type CeasePayload = z.infer<typeof CeasePayload>;

type Lookup = { ok: true; preview: CeasePreview } | { ok: false; message: string };

const fullName = (first?: string, last?: string) => [first, last].filter(Boolean).join(' ') || undefined;

const iccidOf = (raw: string | undefined) => {
  const parsed = raw === undefined ? null : parseIccid(raw);
  return parsed?.ok ? parsed.value : undefined;
};

/** Finds what will be ceased: the account for an MPN, the subscriber list for an ICCID. */
async function lookUp(deps: AppDeps, ref: SubscriberRef): Promise<Lookup> {
  if (ref.kind === 'mpn') {
    const account = await deps.onsim.account.get(ref.value);
    let iccid = iccidOf(account.sim);
    if (!iccid) {
      const subscribers = await deps.onsim.reseller.listSubscribers();
      iccid = iccidOf(subscribers.find((s) => s.mpn === ref.value)?.iccid);
    }
    if (!iccid) {
      return {
        ok: false,
        message: `⚠️ ONSIM does not say which SIM ${esc(formatMpn(ref.value))} uses, so the bot cannot cease it by its number. Run \`/onsim cease <ICCID>\` with the SIM’s ICCID instead.`,
      };
    }
    return {
      ok: true,
      preview: {
        iccid,
        mpn: ref.value,
        name: fullName(account.first_name, account.last_name),
        bundle: account.bundles.data?.bundle_name,
        group: account.group,
      },
    };
  }
  const subscribers = await deps.onsim.reseller.listSubscribers();
  const s = subscribers.find((x) => iccidOf(x.iccid) === ref.value);
  const mpn = s?.mpn ? parseMpn(s.mpn, deps.config.defaultCountry) : null;
  return {
    ok: true,
    preview: {
      iccid: ref.value,
      mpn: mpn?.ok ? mpn.value : null,
      name: fullName(s?.first_name, s?.last_name),
      bundle: s?.bundle,
      group: s?.group,
    },
  };
}

/**
 * Opens the cease modal at once (the trigger lives 3 s), looks the SIM up, stores the pending
 * confirmation and shows the confirmation form.
 */
async function openCeaseForm(
  deps: AppDeps,
  client: WebClient,
  log: Logger,
  at: { triggerId: string; userId: string; channelId: string | null; ref: SubscriberRef },
): Promise<void> {
  await openThenFill(
    client,
    log,
    at.triggerId,
    loadingModal(CEASE_TITLE, 'Looking the SIM up at ONSIM…'),
    async () => {
      let found: Lookup;
      try {
        found = await lookUp(deps, at.ref);
      } catch (err) {
        log.warn({ err }, 'cease look-up failed');
        const what = at.ref.kind === 'mpn' ? formatMpn(at.ref.value) : `SIM ${at.ref.value}`;
        return noticeModal(CEASE_TITLE, describeFailure(err, `look up ${esc(what)}`));
      }
      if (!found.ok) return noticeModal(CEASE_TITLE, found.message);
      const p = found.preview;
      const payload: CeasePayload = { iccid: p.iccid, mpn: p.mpn };
      const c = await requestConfirmation(deps, client, {
        operation: CEASE_OPERATION,
        userId: at.userId,
        channelId: at.channelId,
        target: p.mpn ?? p.iccid,
        payload,
        detail: describeSim(p),
      });
      return ceaseModal(p, c);
    },
  );
}

/** The typed check: the MPN in any written form, or the ICCID's last 6 digits. Returns field errors. */
function checkTyped(values: unknown, p: CeasePayload, country: CountryCode): Record<string, string> | null {
  if (p.mpn) {
    const typed = readForm(values).text(FIELD_CONFIRM_MPN)?.trim() ?? '';
    const expected = formatMpn(p.mpn);
    if (typed === '') return { [FIELD_CONFIRM_MPN]: `Type ${expected} to cease this SIM.` };
    const parsed = parseMpn(typed, country);
    if (!parsed.ok || parsed.value !== p.mpn) {
      return {
        [FIELD_CONFIRM_MPN]: `That is not the MPN of this SIM. Type ${expected} (or its national form) to cease it; nothing was ceased.`,
      };
    }
    return null;
  }
  const typed = (readForm(values).text(FIELD_CONFIRM_ICCID) ?? '').replace(/[\s-]/g, '');
  // The 19 digits ONSIM shows or the 20 printed on the SIM (with the Luhn digit) both end somewhere.
  const printed = `${p.iccid}${luhnCheckDigit(p.iccid)}`;
  if (!/^\d{6}$/.test(typed)) {
    return { [FIELD_CONFIRM_ICCID]: 'Type the last 6 digits of the ICCID shown above, e.g. 001022.' };
  }
  if (typed !== p.iccid.slice(-6) && typed !== printed.slice(-6)) {
    return {
      [FIELD_CONFIRM_ICCID]: `Those are not the last 6 digits of ${p.iccid}; nothing was ceased.`,
    };
  }
  return null;
}

function describeOutcome(
  outcome: Outcome<string>,
  p: CeasePayload,
  userId: string,
): { text: string; record?: string } {
  const sim = esc(describeSim(p));
  switch (outcome.kind) {
    case 'succeeded':
      return {
        text: `🪦 *${sim} is ceased.* ONSIM confirmed it: the SIM and its account are gone for good.`,
        record: ceaseRecord(p, userId),
      };
    case 'outcome_unknown':
      return {
        text: describeFailure(outcome.error, `cease ${sim}`),
        record: ceaseUnknownRecord(p, userId),
      };
    case 'failed':
      return { text: `${describeFailure(outcome.error, `cease ${sim}`)}\nThe SIM was not ceased.` };
  }
}

/** The account card's "Cease" button: value = the MPN. */
export const onCeaseButton = (deps: AppDeps): ButtonHandler =>
  cardFormButton(deps, {
    need: 'admin',
    operation: CEASE_OPERATION,
    form: 'the cease form',
    parse: (value) => recogniseIdentifier(value, ['mpn', 'iccid'], deps.config.defaultCountry),
    open: (client, log, at) =>
      openCeaseForm(deps, client, log, {
        triggerId: at.triggerId,
        userId: at.userId,
        channelId: at.channelId,
        ref: at.value,
      }),
  });

export const onCeaseSubmit = (deps: AppDeps): SubmissionHandler =>
  viewSubmission(deps, async ({ ack, body, view, client }) => {
    const userId = body.user.id;
    const form = await loadConfirmationForm(deps, client, view.private_metadata, userId, {
      title: CEASE_TITLE,
      nothing: 'ceased',
      again: '/onsim cease',
      operation: CEASE_OPERATION,
      payload: CeasePayload,
      need: 'admin',
    });
    if (!form.ok) {
      await ack(form.answer);
      return;
    }
    const { confirmation: c, payload: p } = form;
    const typedErrors = checkTyped(view.state.values, p, deps.config.defaultCountry);
    if (typedErrors) {
      await ack({ response_action: 'errors', errors: typedErrors });
      return;
    }
    const claim = await claimConfirmation(deps, client, c.id, userId, c.channelId);
    if (!claim.ok) {
      if (claim.reason === 'wrong_user') {
        const field = p.mpn ? FIELD_CONFIRM_MPN : FIELD_CONFIRM_ICCID;
        await ack({
          response_action: 'errors',
          errors: {
            [field]:
              'This form belongs to the admin who opened it: only they can confirm it. Nothing was ceased.',
          },
        });
      } else {
        await ack({ response_action: 'update', view: noticeModal(CEASE_TITLE, claim.message) });
      }
      return;
    }
    const sim = describeSim(p);
    await ack({
      response_action: 'update',
      view: loadingModal(CEASE_TITLE, `Ceasing ${esc(sim)} at ONSIM…`),
    });
    const outcome = await runConfirmed(deps, client, claim.confirmation, sim, () =>
      deps.onsim.account.cease(p.iccid),
    );
    const { text, record } = describeOutcome(outcome, p, userId);
    await showOutcome(
      deps,
      client,
      { viewId: view.id, view: noticeModal(CEASE_TITLE, text) },
      { userId, channelId: c.channelId },
      text,
    );
    if (record) await postRecord(deps, client, c.channelId, record);
  });

export const cease: Subcommand = {
  name: 'cease',
  usage: 'cease <iccid or mpn>',
  summary: 'Cease a SIM and its account for good (irreversible; you type the MPN to confirm)',
  role: 'admin',
  operation: CEASE_OPERATION,
  async run(inv, deps) {
    const ref = recogniseIdentifier(inv.args.join(' '), ['mpn', 'iccid'], deps.config.defaultCountry);
    if (!ref.ok) {
      await inv.reply(plain(`⚠️ ${esc(ref.error)} Usage: \`/onsim cease <iccid or mpn>\`.`));
      return;
    }
    if (!inv.triggerId) {
      await inv.reply(plain('Type `/onsim cease …` yourself: the confirmation form opens from the command.'));
      return;
    }
    inv.answeringInModal();
    await openCeaseForm(deps, inv.client, inv.log, {
      triggerId: inv.triggerId,
      userId: inv.userId,
      channelId: inv.channelId,
      ref: ref.value,
    });
  },
};
