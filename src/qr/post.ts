// Posting an eSIM QR image into Slack: ONSIM's image (or one drawn locally), uploaded with
// files.uploadV2 so it outlives the presigned link, followed by a "Delete QR" button.
// Callers check the role (operator) before calling: whoever scans the code first gets the line.

import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { audit } from '../guard/audit.js';
import {
  errorSummary,
  OnsimApiError,
  OnsimConnectionError,
  OnsimInputError,
  OnsimNotFoundError,
  OnsimTimeoutError,
} from '../onsim/errors.js';
import { openDm } from '../slack/dm.js';
import { badge } from '../slack/message.js';
import { followingNote } from '../views/follow.js';
import { expiryNote, qrAltText, qrComment, qrDeleteMessage, qrFilename, qrTitle } from '../views/qr.js';
import { fetchQrPng, QrImageError, renderQrLocally } from './image.js';
import { checkQrLink, type QrLinkPolicy } from './link-policy.js';

/** A QR PNG is a few kB; anything near this is not a QR code. */
const MAX_QR_BYTES = 2_000_000;

export interface PostQrInput {
  /** The activation code (LPA:1$…). Never logged, never shown in text. */
  esimCode: string;
  /** E.164 digits, when known (title, file name). */
  mpn?: string | null;
  /** 19 digits, when known and the MPN is not. */
  iccid?: string | null;
  /** When only the account id is known. */
  iAccount?: string | null;
  requesterId: string;
  /** Where the request came from; QR_DELIVERY=dm sends the image to the requester's DM instead. */
  channelId: string;
}

export interface PostedQr {
  fileId: string;
  /** Where the image went. */
  channelId: string;
  delivery: 'channel' | 'dm';
  /** Set when the bot drew the image itself: why ONSIM's could not be used. */
  localReason: string | null;
}

const UploadResult = z.looseObject({
  files: z
    .array(
      z.looseObject({
        id: z.string().optional(),
        files: z.array(z.looseObject({ id: z.string() })).optional(),
      }),
    )
    .min(1),
});

function onsimReason(err: unknown): string {
  if (err instanceof QrImageError) return err.message;
  if (err instanceof OnsimApiError) return `ONSIM answered ${err.status} ${err.title}`;
  if (err instanceof OnsimTimeoutError) return 'ONSIM did not answer in time';
  if (err instanceof OnsimConnectionError) return 'ONSIM could not be reached';
  return 'ONSIM’s answer could not be used';
}

async function qrImage(
  deps: AppDeps,
  code: string,
  log: AppDeps['logger'],
): Promise<{ png: Buffer; localReason: string | null }> {
  try {
    const url = await deps.onsim.account.generateQr(code);
    const policy: QrLinkPolicy = {
      hosts: deps.config.qrImageHosts,
      trustedOrigin: deps.sandbox ? new URL(url).origin : deps.config.onsim.baseUrl,
    };
    const png = await fetchQrPng(url, {
      timeoutMs: deps.config.onsim.timeoutMs,
      maxBytes: MAX_QR_BYTES,
      check: (link) => checkQrLink(link, policy),
    });
    return { png, localReason: null };
  } catch (err) {
    // ONSIM does not know the code (refreshed, ceased) or it is malformed: a drawing would not work either.
    if (err instanceof OnsimNotFoundError || err instanceof OnsimInputError) throw err;
    const localReason = onsimReason(err);
    log.warn({ err, reason: localReason }, 'ONSIM QR image unusable; drawing it locally');
    return { png: await renderQrLocally(code), localReason };
  }
}

/**
 * Generates (or draws) the QR image, uploads it where QR_DELIVERY says, posts the "Delete QR"
 * button after it, and audits 'post QR' (never the code). Throws ONSIM or Slack errors.
 */
export async function postQr(deps: AppDeps, client: WebClient, input: PostQrInput): Promise<PostedQr> {
  const subject = { mpn: input.mpn ?? null, iccid: input.iccid ?? null, iAccount: input.iAccount ?? null };
  const target = subject.mpn ?? subject.iccid ?? subject.iAccount ?? 'activation code';
  const log = deps.logger.child({ name: 'qr', user: input.requesterId, target });
  const delivery = deps.config.qrDelivery;
  let channelId = input.channelId;
  try {
    const { png, localReason } = await qrImage(deps, input.esimCode, log);
    if (delivery === 'dm') channelId = await openDm(client, input.requesterId);
    const res = await client.files.uploadV2({
      channel_id: channelId,
      file: png,
      filename: qrFilename(subject),
      title: qrTitle(subject),
      alt_text: qrAltText(subject),
      initial_comment: qrComment({ ...subject, posterId: input.requesterId, localReason }),
    });
    const uploaded = UploadResult.parse(res).files[0];
    const fileId = uploaded?.files?.[0]?.id ?? uploaded?.id;
    if (!fileId) throw new Error('Slack did not return the id of the uploaded QR image');
    // An eSIM known by its line (not only by a typed code) is followed until it is installed.
    const followed = subject.mpn !== null || subject.iccid !== null || subject.iAccount !== null;
    const deleteMessage = qrDeleteMessage({ fileId, posterId: input.requesterId, ...subject });
    if (followed) deleteMessage.blocks.push(followingNote(deps.config.esimFollowUp.hours));
    const ttlHours = deps.config.qrTtlHours;
    if (ttlHours > 0) deleteMessage.blocks.push(expiryNote(ttlHours));
    const follow = badge(deleteMessage, deps.sandbox);
    let messageTs: string | null = null;
    try {
      const posted = await client.chat.postMessage({
        channel: channelId,
        text: follow.text,
        blocks: follow.blocks,
      });
      messageTs = posted.ts ?? null;
    } catch (err) {
      // The image is up; its delete button is a convenience (files can be deleted in Slack too).
      log.warn({ err, fileId }, 'could not post the Delete QR button');
    }
    if (ttlHours > 0) {
      const postedAt = deps.now();
      try {
        await deps.store.addQrExpiry({
          fileId,
          channelId,
          messageTs,
          posterId: input.requesterId,
          ...subject,
          postedAt,
          deleteAt: postedAt + ttlHours * 3_600_000,
        });
      } catch (err) {
        log.error({ err, fileId }, 'could not record when to delete the QR image (QR_TTL_HOURS)');
      }
    }
    if (followed) {
      const startedAt = deps.now();
      try {
        await deps.store.addEsimFollowUp({
          ...subject,
          channelId,
          messageTs,
          fileId,
          requesterId: input.requesterId,
          startedAt,
          deadlineAt: startedAt + deps.config.esimFollowUp.hours * 3_600_000,
          nextCheckAt: startedAt + deps.config.esimFollowUp.pollSeconds * 1000,
        });
      } catch (err) {
        log.error({ err, fileId }, 'could not start following the eSIM installation');
      }
    }
    const how = localReason ? 'drawn by the bot' : 'image from ONSIM';
    await audit(deps, client, {
      userId: input.requesterId,
      channelId: input.channelId,
      operation: 'post QR',
      target,
      event: 'succeeded',
      detail: `${delivery === 'dm' ? 'sent by DM' : `posted in ${channelId}`}, ${how}, file ${fileId}`,
    });
    log.info({ fileId, delivery, local: localReason !== null }, 'QR posted');
    return { fileId, channelId, delivery, localReason };
  } catch (err) {
    await audit(deps, client, {
      userId: input.requesterId,
      channelId: input.channelId,
      operation: 'post QR',
      target,
      event: 'failed',
      detail: errorSummary(err),
    }).catch((auditErr: unknown) => log.error({ err: auditErr }, 'could not write the audit entry'));
    throw err;
  }
}
