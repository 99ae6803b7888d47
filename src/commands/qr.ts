import type { BlockAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { audit } from '../guard/audit.js';
import { authorize } from '../guard/authorize.js';
import type { Logger } from '../logger.js';
import type { EsimInfo } from '../onsim/account.js';
import { OnsimError, OnsimNotFoundError } from '../onsim/errors.js';
import {
  EXAMPLES,
  type Parsed,
  parseIAccount,
  parseIccid,
  parseMpn,
  recogniseIdentifier,
  type SubscriberRef,
} from '../onsim/identifiers.js';
import { postQr } from '../qr/post.js';
import { openDm } from '../slack/dm.js';
import { shownCode, slackErrorCode } from '../slack/error-code.js';
import { describeFailure } from '../slack/failure.js';
import type { ButtonHandler } from '../slack/handlers.js';
import { type Message, plain } from '../slack/message.js';
import { answerClick, clickChannel } from '../slack/respond.js';
import { esc, mention } from '../slack/text.js';
import { type QrSubject, qrDeletedMessage, qrDeleteValue, qrSubjectLabel } from '../views/qr.js';
import type { Subcommand } from './types.js';

const OPERATION = 'post QR';
const USAGE = 'qr <mpn | iccid | LPA code>';

type QrRef = Extract<SubscriberRef, { kind: 'mpn' | 'iccid' | 'esim_code' | 'i_account' }>;

function subjectOf(ref: QrRef): QrSubject {
  if (ref.kind === 'mpn') return { mpn: ref.value };
  if (ref.kind === 'iccid') return { iccid: ref.value };
  if (ref.kind === 'i_account') return { iAccount: ref.value };
  return {};
}

/** Safe for the audit trail: never the activation code itself. */
const auditTarget = (ref: QrRef): string => (ref.kind === 'esim_code' ? 'activation code' : ref.value);

/** The user-facing words for a failed QR post (ONSIM or Slack). */
export function describeQrFailure(err: unknown, label: string): string {
  if (err instanceof OnsimNotFoundError) {
    return `🔍 ONSIM does not know the activation code of ${esc(label)} (it may have been refreshed since, or the SIM ceased), so no QR code was posted: a drawing of it would not install. Try again with the line's number, e.g. \`/onsim qr ${EXAMPLES.mpn}\`, so the bot fetches its current code.`;
  }
  if (err instanceof OnsimError) return describeFailure(err, `make the QR code for ${esc(label)}`);
  const code = slackErrorCode(err);
  if (code === 'not_in_channel' || code === 'channel_not_found') {
    return `⚠️ Slack would not take the QR image in this conversation (${shownCode(code)}): the bot is not a member. Invite it with \`/invite\` first, or ask whoever runs the bot to set QR_DELIVERY=dm.`;
  }
  if (code)
    return `⚠️ Slack refused the QR image for ${esc(label)} (${shownCode(code)}). Try again in a moment.`;
  return describeFailure(err, `post the QR code for ${esc(label)}`);
}

/**
 * Finds the activation code (eSIM query) unless it was given, and posts its QR. Returns the answer
 * for the requester. The caller has checked the operator role.
 */
export async function qrFor(
  deps: AppDeps,
  client: WebClient,
  ref: QrRef,
  who: { userId: string; channelId: string; log: Logger },
): Promise<Message> {
  const subject = subjectOf(ref);
  const label = qrSubjectLabel(subject);
  let code: string;
  if (ref.kind === 'esim_code') {
    code = ref.value;
  } else {
    let info: EsimInfo;
    try {
      info = await deps.onsim.account.getEsim({ [ref.kind]: ref.value });
    } catch (err) {
      who.log.warn({ err }, 'eSIM query for QR failed');
      return plain(describeFailure(err, `get the eSIM activation code of ${esc(label)}`));
    }
    const status = info.esim_status?.trim() ?? '';
    if (status.toLowerCase() === 'installed' || info.enabled_on_device === 'ON') {
      return plain(
        `ℹ️ The eSIM of *${esc(label)}* is already installed on a phone (ONSIM says “${esc(status || 'enabled on device')}”), so its QR code would not work again. Nothing was posted.`,
      );
    }
    if (!info.esim_code) {
      return plain(
        `ℹ️ ONSIM returned no activation code for *${esc(label)}*: it may be a physical SIM, which has no QR code.`,
      );
    }
    code = info.esim_code;
  }
  try {
    const posted = await postQr(deps, client, {
      esimCode: code,
      ...subject,
      requesterId: who.userId,
      channelId: who.channelId,
    });
    const drawn = posted.localReason
      ? ' ONSIM could not provide the image, so the bot drew it from the same code (the post says so).'
      : '';
    return plain(
      posted.delivery === 'dm'
        ? `📬 Sent the QR code for *${esc(label)}* to you in a direct message (this bot delivers QR codes by DM).${drawn}`
        : `📷 Posted the QR code for *${esc(label)}* in <#${posted.channelId}>. Delete it once the eSIM is installed.${drawn}`,
    );
  } catch (err) {
    who.log.warn({ err }, 'QR post failed');
    return plain(describeQrFailure(err, label));
  }
}

export const qr: Subcommand = {
  name: 'qr',
  usage: USAGE,
  summary: 'Post an eSIM QR code here (whoever scans it first gets the line)',
  role: 'operator',
  operation: OPERATION,
  async run(inv, deps) {
    const text = inv.args.join(' ').trim();
    if (text === '') {
      await inv.reply(
        plain(
          `Which eSIM? Type \`/onsim ${esc(USAGE)}\`, e.g. \`/onsim qr ${EXAMPLES.mpn}\` or \`/onsim qr ${EXAMPLES.iccid}\`.`,
        ),
      );
      return;
    }
    const ref = recogniseIdentifier(text, ['mpn', 'iccid', 'esim_code'], deps.config.defaultCountry);
    if (!ref.ok) {
      await inv.reply(plain(`⚠️ ${esc(ref.error)}`));
      return;
    }
    await inv.reply(
      await qrFor(deps, inv.client, ref.value, {
        userId: inv.userId,
        channelId: inv.channelId,
        log: inv.log,
      }),
    );
  },
};

/** ACTION_ESIM_QR carries `mpn:…`, `iccid:…` or `i_account:…`. */
function parseEsimRef(value: string, deps: AppDeps): Parsed<QrRef> {
  const m = /^(mpn|iccid|i_account):(.+)$/.exec(value);
  const kind = m?.[1];
  const raw = m?.[2] ?? '';
  const wrap = (k: QrRef['kind'], p: Parsed<string>): Parsed<QrRef> =>
    p.ok ? { ok: true, value: { kind: k, value: p.value } } : p;
  if (kind === 'mpn') return wrap('mpn', parseMpn(raw, deps.config.defaultCountry));
  if (kind === 'iccid') return wrap('iccid', parseIccid(raw));
  if (kind === 'i_account') return wrap('i_account', parseIAccount(raw));
  return { ok: false, error: 'This button does not name an eSIM. Use /onsim qr <mpn> instead.' };
}

async function onQrButton(
  deps: AppDeps,
  body: BlockAction,
  ref: Parsed<QrRef>,
  respond: RespondFn,
  client: WebClient,
): Promise<void> {
  const userId = body.user.id;
  const log = deps.logger.child({ name: 'qr', user: userId });
  try {
    if (!ref.ok) {
      await answerClick(deps, respond, plain(`⚠️ ${esc(ref.error)}`));
      return;
    }
    const inChannel = clickChannel(body);
    const auth = await authorize(
      deps,
      client,
      { userId, channelId: inChannel ?? null },
      'operator',
      OPERATION,
      auditTarget(ref.value),
    );
    if (!auth.ok) {
      await answerClick(deps, respond, plain(auth.message));
      return;
    }
    const channelId = inChannel ?? (await openDm(client, userId));
    await answerClick(deps, respond, await qrFor(deps, client, ref.value, { userId, channelId, log }));
  } catch (err) {
    log.error({ err }, 'QR button failed');
    await answerClick(deps, respond, plain(describeQrFailure(err, 'this eSIM')));
  }
}

/** The account card's "QR code" button: value = the MPN. */
export const onAccountQrButton =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, respond, client }) => {
    await ack();
    const parsed = parseMpn(action.value ?? '', deps.config.defaultCountry);
    const ref: Parsed<QrRef> = parsed.ok ? { ok: true, value: { kind: 'mpn', value: parsed.value } } : parsed;
    await onQrButton(deps, body, ref, respond, client);
  };

/** The eSIM card's "Post QR" button: value = `mpn:…`, `iccid:…` or `i_account:…`. */
export const onEsimQrButton =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, respond, client }) => {
    await ack();
    await onQrButton(deps, body, parseEsimRef(action.value ?? '', deps), respond, client);
  };

/** "Delete QR" under a posted image: its poster or an admin. */
export const onQrDeleteButton =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, respond, client }) => {
    await ack();
    const userId = body.user.id;
    const channelId = clickChannel(body);
    const log = deps.logger.child({ name: 'qr', user: userId });
    const ref = qrDeleteValue.decode(action.value);
    if (!ref) {
      await answerClick(
        deps,
        respond,
        plain('⚠️ This button is outdated. Delete the image from its ⋯ menu instead.'),
      );
      return;
    }
    const target = ref.mpn ?? ref.iccid ?? ref.iAccount ?? ref.fileId;
    try {
      if (userId !== ref.posterId) {
        const auth = await authorize(deps, client, { userId, channelId }, 'admin', 'delete QR', target);
        if (!auth.ok) {
          await answerClick(
            deps,
            respond,
            plain(
              `Only ${mention(ref.posterId)}, who posted this QR, or an admin can delete it. ${auth.message}`,
            ),
          );
          return;
        }
      }
      let detail = `file ${ref.fileId}`;
      try {
        await client.files.delete({ file: ref.fileId });
      } catch (err) {
        const code = slackErrorCode(err);
        if (code !== 'file_not_found' && code !== 'file_deleted') throw err;
        detail = `file ${ref.fileId} was already gone`;
      }
      // Its QR_TTL_HOURS have nothing left to do (and must not overwrite this message).
      await deps.store.finishQrExpiry(ref.fileId, deps.now());
      await audit(deps, client, {
        userId,
        channelId,
        operation: 'delete QR',
        target,
        event: 'succeeded',
        detail,
      });
      log.info({ fileId: ref.fileId }, 'QR deleted');
      await answerClick(deps, respond, qrDeletedMessage(ref, userId), true);
    } catch (err) {
      log.error({ err, fileId: ref.fileId }, 'QR delete failed');
      await audit(deps, client, {
        userId,
        channelId,
        operation: 'delete QR',
        target,
        event: 'failed',
        detail: err instanceof Error ? err.message.slice(0, 300) : 'unknown error',
      }).catch((auditErr: unknown) => log.error({ err: auditErr }, 'could not write the audit entry'));
      const code = slackErrorCode(err);
      await answerClick(
        deps,
        respond,
        plain(
          `⚠️ Slack would not delete the QR image${code ? ` (${shownCode(code)})` : ''}. Delete it from the image's ⋯ menu instead.`,
        ),
      );
    }
  };
