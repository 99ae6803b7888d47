import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import { formatMpn } from '../onsim/identifiers.js';
import { context, option, plainText, section, selectInput, textInput } from '../slack/blocks.js';
import { jsonCodec } from '../slack/metadata.js';
import { clip, esc, mention } from '../slack/text.js';
import { confirmationMetadata, slackTime } from './confirm.js';
import { readForm } from './form-state.js';

export const RECORDING_CHOOSE_CALLBACK_ID = 'recording_choose';
export const RECORDING_OFF_CALLBACK_ID = 'recording_off_confirm';
/** Input block and action ids = the ONSIM fields they fill. */
export const FIELD_VOICE = 'voice_recording';
export const FIELD_SMS = 'sms_recording';
export const FIELD_REASON = 'reason';
export const RECORDING_TITLE = 'Recording';
const REASON_MIN = 3;
const REASON_MAX = 500;

export const OnOff = z.enum(['ON', 'OFF']);
export type OnOff = z.infer<typeof OnOff>;

export const RecordingChoice = z.object({ voice_recording: OnOff, sms_recording: OnOff });
export type RecordingChoice = z.infer<typeof RecordingChoice>;

/** ONSIM's warning, in plain words. */
export const RECORDING_WARNING =
  '🛑 *Switching recording off stops all capture at once.* Calls and messages that are not recorded can never be recovered. Take care with users in regulated industries (financial services, legal), who may be required to record.';

export const turnsOff = (c: RecordingChoice): boolean =>
  c.voice_recording === 'OFF' || c.sms_recording === 'OFF';

/** "voice OFF, sms ON" */
export const describeChoice = (c: RecordingChoice): string =>
  `voice ${c.voice_recording}, sms ${c.sms_recording}`;

const onOffOption = (v: OnOff) => option(v === 'ON' ? 'On — record' : 'Off — do not record', v);

const select = (field: string, label: string, initial: OnOff | undefined): KnownBlock =>
  selectInput(field, label, [onOffOption('ON'), onOffOption('OFF')], {
    placeholder: 'On or off',
    initial: initial ? onOffOption(initial) : undefined,
  });

/** The chooser's private_metadata: the MPN and the channel to record the change in. */
const ChooseMetadata = z.object({ mpn: z.string().regex(/^\d{8,15}$/), channel: z.string().nullable() });
export type ChooseMetadata = z.infer<typeof ChooseMetadata>;

export const chooseMetadata = jsonCodec(ChooseMetadata);

/** The small modal to choose both values (prefilled from the command and from ONSIM). */
export function recordingChooseModal(p: {
  mpn: string;
  channelId: string | null;
  initial: Partial<RecordingChoice>;
  /** What ONSIM reports now, when it does. */
  current: Partial<RecordingChoice>;
}): ModalView {
  const now =
    p.current.voice_recording || p.current.sms_recording
      ? `ONSIM reports: voice ${p.current.voice_recording ?? 'unknown'}, sms ${p.current.sms_recording ?? 'unknown'}.`
      : 'ONSIM did not report the current settings.';
  return {
    type: 'modal',
    callback_id: RECORDING_CHOOSE_CALLBACK_ID,
    title: plainText(RECORDING_TITLE),
    submit: plainText('Continue'),
    close: plainText('Cancel'),
    private_metadata: chooseMetadata.encode({ mpn: p.mpn, channel: p.channelId }),
    blocks: [
      section(`Recording of *${esc(formatMpn(p.mpn))}*. ${esc(now)} Both values are always sent.`),
      select(FIELD_VOICE, 'Voice recording', p.initial.voice_recording),
      select(FIELD_SMS, 'SMS recording', p.initial.sms_recording),
      context(
        'Operators may switch recording on. Switching either off needs an admin, a reason and a confirmation on the next step.',
      ),
    ],
  };
}

/** Reads the chooser's two selects; a missing one is an error on its field. */
export function parseRecordingChoice(
  values: unknown,
): { ok: true; value: RecordingChoice } | { ok: false; errors: Record<string, string> } {
  const voice = OnOff.safeParse(readForm(values).choice(FIELD_VOICE));
  const sms = OnOff.safeParse(readForm(values).choice(FIELD_SMS));
  const errors: Record<string, string> = {};
  if (!voice.success) errors[FIELD_VOICE] = 'Choose On or Off for voice recording.';
  if (!sms.success) errors[FIELD_SMS] = 'Choose On or Off for SMS recording.';
  if (!voice.success || !sms.success) return { ok: false, errors };
  return { ok: true, value: { voice_recording: voice.data, sms_recording: sms.data } };
}

/** The confirmation modal for switching recording off: warning first, the reason, a submit that says what it does. */
export function recordingOffModal(p: {
  mpn: string;
  choice: RecordingChoice;
  confirmation: { id: string; userId: string; expiresAt: number };
}): ModalView {
  const bold = (v: OnOff) => (v === 'OFF' ? '*OFF*' : 'ON');
  return {
    type: 'modal',
    callback_id: RECORDING_OFF_CALLBACK_ID,
    title: plainText(RECORDING_TITLE),
    submit: plainText('Switch recording off'),
    close: plainText('Keep recording'),
    notify_on_close: true,
    private_metadata: confirmationMetadata.encode(p.confirmation.id),
    blocks: [
      section(RECORDING_WARNING),
      section(
        `*${esc(formatMpn(p.mpn))}* will be set to: voice recording ${bold(p.choice.voice_recording)}, SMS recording ${bold(p.choice.sms_recording)}.`,
      ),
      textInput(FIELD_REASON, 'Why? (kept in the audit trail)', {
        multiline: true,
        maxLength: REASON_MAX,
        placeholder: 'e.g. Customer left the regulated business; agreed with J. Smith',
      }),
      context(
        `Requested by ${mention(p.confirmation.userId)} · expires at ${slackTime(p.confirmation.expiresAt)} · runs at most once`,
      ),
    ],
  };
}

/** The reason for switching recording off: required, one short paragraph. */
export function parseReason(
  values: unknown,
): { ok: true; value: string } | { ok: false; errors: Record<string, string> } {
  const reason = (readForm(values).text(FIELD_REASON) ?? '').trim().replace(/\s+/g, ' ');
  if (reason.length < REASON_MIN) {
    return {
      ok: false,
      errors: {
        [FIELD_REASON]:
          'Give a reason: it is kept in the audit trail. E.g. "Customer left the regulated business; agreed with J. Smith".',
      },
    };
  }
  return { ok: true, value: clip(reason, REASON_MAX) };
}

/** The channel-visible record of a recording change. */
export function recordingRecord(mpn: string, c: RecordingChoice, userId: string, reason?: string): string {
  return `🎙️ Recording of ${esc(formatMpn(mpn))} set to ${describeChoice(c)} by ${mention(userId)}${reason ? ` — reason: ${esc(reason)}` : ''}`;
}
