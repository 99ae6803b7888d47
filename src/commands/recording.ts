import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { authorize } from '../guard/authorize.js';
import { claimConfirmation, requestConfirmation, runConfirmed } from '../guard/confirmations.js';
import { type Outcome, perform } from '../guard/perform.js';
import type { Logger } from '../logger.js';
import { OnsimNotFoundError } from '../onsim/errors.js';
import { EXAMPLES, formatMpn, parseMpn } from '../onsim/identifiers.js';
import { describeFailure } from '../slack/failure.js';
import type { ButtonHandler, SubmissionHandler } from '../slack/handlers.js';
import { plain } from '../slack/message.js';
import { openThenFill, showOutcome } from '../slack/modal.js';
import { postRecord } from '../slack/record.js';
import { echo, esc } from '../slack/text.js';
import { viewSubmission } from '../slack/view-submission.js';
import { loadingModal, noticeModal } from '../views/confirm.js';
import {
  chooseMetadata,
  describeChoice,
  parseReason,
  parseRecordingChoice,
  RECORDING_TITLE,
  RecordingChoice,
  recordingChooseModal,
  recordingOffModal,
  recordingRecord,
  turnsOff,
} from '../views/recording.js';
import { cardFormButton } from './card-button.js';
import { loadConfirmationForm, openSubmission, submitted } from './form-submission.js';
import type { Subcommand } from './types.js';

/** Switching on (or leaving on) needs an operator; switching either value off needs an admin. */
export const RECORDING_ON_OPERATION = 'recording on';
export const RECORDING_OFF_OPERATION = 'recording off';

const USAGE = `\`/onsim recording <mpn> voice on|off sms on|off\`, e.g. \`/onsim recording ${EXAMPLES.mpnNational} voice on sms off\``;

const OffPayload = RecordingChoice.extend({ mpn: z.string().regex(/^\d{8,15}$/) });
type OffPayload = z.infer<typeof OffPayload>;

type ParsedArgs = { ok: true; mpn: string; given: Partial<RecordingChoice> } | { ok: false; message: string };

/** `<mpn words…> [voice on|off] [sms on|off]` (also `voice=off`); the MPN may contain spaces. */
export function parseRecordingArgs(args: string[], country: CountryCode): ParsedArgs {
  const words = args.flatMap((a) => a.split('=')).filter(Boolean);
  const first = words.findIndex((w) => /^(voice|sms)$/i.test(w));
  const mpnText = (first < 0 ? words : words.slice(0, first)).join(' ');
  if (mpnText === '') return { ok: false, message: `⚠️ Which number? Usage: ${USAGE}.` };
  const mpn = parseMpn(mpnText, country);
  if (!mpn.ok) return { ok: false, message: `⚠️ ${esc(mpn.error)} Usage: ${USAGE}.` };
  const given: Partial<RecordingChoice> = {};
  const rest = first < 0 ? [] : words.slice(first);
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i]?.toLowerCase();
    const value = rest[i + 1]?.toUpperCase();
    if (key !== 'voice' && key !== 'sms') {
      return { ok: false, message: `⚠️ ${echo(rest[i] ?? '')} is not \`voice\` or \`sms\`. Usage: ${USAGE}.` };
    }
    const field = key === 'voice' ? 'voice_recording' : 'sms_recording';
    if (value !== 'ON' && value !== 'OFF') {
      return {
        ok: false,
        message: `⚠️ After \`${key}\` comes \`on\` or \`off\`${value ? `, not ${echo(rest[i + 1] ?? '')}` : ''}. Usage: ${USAGE}.`,
      };
    }
    if (given[field]) return { ok: false, message: `⚠️ \`${key}\` is given twice. Usage: ${USAGE}.` };
    given[field] = value;
  }
  return { ok: true, mpn: mpn.value, given };
}

/** Opens the chooser at once, then fills it with what ONSIM reports. */
async function openChooser(
  deps: AppDeps,
  client: WebClient,
  log: Logger,
  at: { triggerId: string; channelId: string | null; mpn: string; given: Partial<RecordingChoice> },
): Promise<void> {
  const loading = loadingModal(
    RECORDING_TITLE,
    `Reading the recording settings of ${esc(formatMpn(at.mpn))} from ONSIM…`,
  );
  await openThenFill(client, log, at.triggerId, loading, async () => {
    let current: Partial<RecordingChoice> = {};
    try {
      const account = await deps.onsim.account.get(at.mpn);
      current = { voice_recording: account.voice_recording, sms_recording: account.sms_recording };
    } catch (err) {
      if (err instanceof OnsimNotFoundError) {
        return noticeModal(RECORDING_TITLE, describeFailure(err, `look up ${esc(formatMpn(at.mpn))}`));
      }
      // Prefill is a convenience: choose without it.
      log.warn({ err }, 'could not read the current recording settings');
    }
    return recordingChooseModal({
      mpn: at.mpn,
      channelId: at.channelId,
      initial: { ...current, ...at.given },
      current,
    });
  });
}

/** Stores the pending "recording off" confirmation; the returned modal asks for the reason. */
async function offConfirmation(
  deps: AppDeps,
  client: WebClient,
  at: { userId: string; channelId: string | null; mpn: string; choice: RecordingChoice },
): Promise<View> {
  const payload: OffPayload = { mpn: at.mpn, ...at.choice };
  const c = await requestConfirmation(deps, client, {
    operation: RECORDING_OFF_OPERATION,
    userId: at.userId,
    channelId: at.channelId,
    target: at.mpn,
    payload,
    detail: describeChoice(at.choice),
  });
  return recordingOffModal({ mpn: at.mpn, choice: at.choice, confirmation: c });
}

function describeOutcome(
  outcome: Outcome<string>,
  mpn: string,
  choice: RecordingChoice,
  userId: string,
  reason?: string,
): { text: string; record?: string } {
  const number = esc(formatMpn(mpn));
  const what = `set the recording of ${number} to ${describeChoice(choice)}`;
  switch (outcome.kind) {
    case 'succeeded':
      return {
        text: `🎙️ Recording of *${number}* is now ${describeChoice(choice)}.`,
        record: recordingRecord(mpn, choice, userId, reason),
      };
    case 'outcome_unknown':
      return {
        text: describeFailure(outcome.error, what),
        record: `❓ Recording change of ${number} to ${describeChoice(choice)} by <@${userId}>: *outcome unknown* — check the account before retrying.`,
      };
    case 'failed':
      return { text: `${describeFailure(outcome.error, what)}\nNothing was changed.` };
  }
}

/** Recording on for both: an operator's step, run at once and audited. */
async function switchOn(
  deps: AppDeps,
  client: WebClient,
  who: { userId: string; channelId: string | null },
  mpn: string,
  choice: RecordingChoice,
): Promise<{ text: string; record?: string }> {
  const outcome = await perform(
    deps,
    client,
    { ...who, operation: RECORDING_ON_OPERATION, target: mpn, detail: describeChoice(choice) },
    () => deps.onsim.account.setRecording(mpn, choice),
  );
  return describeOutcome(outcome, mpn, choice, who.userId);
}

/** The account card's "Recording" button: value = the MPN. */
export const onRecordingButton = (deps: AppDeps): ButtonHandler =>
  cardFormButton(deps, {
    need: 'operator',
    operation: 'recording',
    form: 'the recording form',
    parse: (value) => parseMpn(value, deps.config.defaultCountry),
    open: (client, log, at) =>
      openChooser(deps, client, log, {
        triggerId: at.triggerId,
        channelId: at.channelId,
        mpn: at.value,
        given: {},
      }),
  });

/** The chooser: switching on runs at once; switching off asks an admin for a reason first. */
export const onRecordingChooseSubmit = (deps: AppDeps): SubmissionHandler =>
  viewSubmission(deps, async ({ ack, body, view, client }) => {
    // Switching on needs an operator, off an admin: the least of them to open the form.
    const form = await openSubmission(deps, client, submitted(body, view), {
      title: RECORDING_TITLE,
      metadata: chooseMetadata,
      again: '/onsim recording',
      nothing: 'changed',
      need: 'operator',
      operation: 'recording',
      channel: (meta) => meta.channel,
      parse: parseRecordingChoice,
      target: (meta) => meta.mpn,
    });
    if (!form.ok) return void (await ack(form.answer));
    const { meta, who } = form;
    const choice = form.fields;
    const off = turnsOff(choice.value);
    if (off) {
      const auth = await authorize(deps, client, who, 'admin', RECORDING_OFF_OPERATION, meta.mpn);
      if (!auth.ok) {
        await ack({ response_action: 'update', view: noticeModal(RECORDING_TITLE, auth.message) });
        return;
      }
    }
    if (off) {
      await ack({
        response_action: 'update',
        view: await offConfirmation(deps, client, { ...who, mpn: meta.mpn, choice: choice.value }),
      });
      return;
    }
    await ack({
      response_action: 'update',
      view: loadingModal(RECORDING_TITLE, `Switching recording on for ${esc(formatMpn(meta.mpn))}…`),
    });
    const result = await switchOn(deps, client, who, meta.mpn, choice.value);
    await showOutcome(
      deps,
      client,
      { viewId: view.id, view: noticeModal(RECORDING_TITLE, result.text) },
      who,
      result.text,
    );
    if (result.record) await postRecord(deps, client, meta.channel, result.record);
  });

/** The "recording off" confirmation with its reason. */
export const onRecordingOffSubmit = (deps: AppDeps): SubmissionHandler =>
  viewSubmission(deps, async ({ ack, body, view, client }) => {
    const userId = body.user.id;
    const form = await loadConfirmationForm(deps, client, view.private_metadata, userId, {
      title: RECORDING_TITLE,
      nothing: 'changed',
      again: '/onsim recording',
      operation: RECORDING_OFF_OPERATION,
      payload: OffPayload,
      need: 'admin',
    });
    if (!form.ok) {
      await ack(form.answer);
      return;
    }
    const c = form.confirmation;
    const { mpn, ...choice } = form.payload;
    const reason = parseReason(view.state.values);
    if (!reason.ok) {
      await ack({ response_action: 'errors', errors: reason.errors });
      return;
    }
    const claim = await claimConfirmation(deps, client, c.id, userId, c.channelId, `reason: ${reason.value}`);
    if (!claim.ok) {
      await ack({ response_action: 'update', view: noticeModal(RECORDING_TITLE, claim.message) });
      return;
    }
    await ack({
      response_action: 'update',
      view: loadingModal(
        RECORDING_TITLE,
        `Switching recording of ${esc(formatMpn(mpn))} to ${describeChoice(choice)}…`,
      ),
    });
    const outcome = await runConfirmed(
      deps,
      client,
      claim.confirmation,
      `${describeChoice(choice)} — reason: ${reason.value}`,
      () => deps.onsim.account.setRecording(mpn, choice),
    );
    const result = describeOutcome(outcome, mpn, choice, userId, reason.value);
    await showOutcome(
      deps,
      client,
      { viewId: view.id, view: noticeModal(RECORDING_TITLE, result.text) },
      { userId, channelId: c.channelId },
      result.text,
    );
    if (result.record) await postRecord(deps, client, c.channelId, result.record);
  });

export const recording: Subcommand = {
  name: 'recording',
  usage: 'recording <mpn> voice on|off sms on|off',
  summary: 'Switch voice and SMS recording (switching off needs an admin, a reason and a confirmation)',
  role: 'operator',
  operation: 'recording',
  async run(inv, deps) {
    const args = parseRecordingArgs(inv.args, deps.config.defaultCountry);
    if (!args.ok) {
      await inv.reply(plain(args.message));
      return;
    }
    const who = { userId: inv.userId, channelId: inv.channelId };
    const choice = RecordingChoice.safeParse(args.given);
    if (!choice.success) {
      if (!inv.triggerId) {
        await inv.reply(plain(`Give both values: ${USAGE}.`));
        return;
      }
      inv.answeringInModal();
      await openChooser(deps, inv.client, inv.log, {
        triggerId: inv.triggerId,
        channelId: inv.channelId,
        mpn: args.mpn,
        given: args.given,
      });
      return;
    }
    if (!turnsOff(choice.data)) {
      const result = await switchOn(deps, inv.client, who, args.mpn, choice.data);
      await inv.reply(plain(result.text));
      if (result.record) await postRecord(deps, inv.client, inv.channelId, result.record);
      return;
    }
    const auth = await authorize(deps, inv.client, who, 'admin', RECORDING_OFF_OPERATION, args.mpn);
    if (!auth.ok) {
      await inv.reply(plain(`${auth.message} Operators may switch recording *on*.`));
      return;
    }
    if (!inv.triggerId) {
      await inv.reply(
        plain('Type the command yourself: switching recording off opens a form for the reason.'),
      );
      return;
    }
    inv.answeringInModal();
    const view = await offConfirmation(deps, inv.client, { ...who, mpn: args.mpn, choice: choice.data });
    await inv.client.views.open({ trigger_id: inv.triggerId, view });
  },
};
