import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { authorize } from '../guard/authorize.js';
import { requestConfirmation, runConfirmed } from '../guard/confirmations.js';
import type { EsimInfo } from '../onsim/account.js';
import { describeFailure } from '../slack/failure.js';
import type { ButtonHandler } from '../slack/handlers.js';
import { type Message, plain } from '../slack/message.js';
import { answerClick, clickChannel } from '../slack/respond.js';
import { esc, mention } from '../slack/text.js';
import type { Confirmation } from '../store/types.js';
import {
  decodeEsimRef,
  describeEsimRef,
  type EsimRef,
  encodeEsimRef,
  esimQuery,
  isInstalled,
} from '../views/esim.js';
import { esimRefreshedMessage, esimRefreshPrompt, esimRefreshRecord } from '../views/esim-refresh.js';
import { type ConfirmationClick, type ConfirmedResult, cancelClick, confirmClick } from './confirm-click.js';
import { readEsimRef } from './esim.js';
import type { Subcommand } from './types.js';

export const ESIM_REFRESH_OPERATION = 'eSIM code refresh';

const RefreshPayload = z.object({ ref: z.string() });

/** ONSIM answered 200 but did not refresh (it refuses for installed eSIMs). */
export class EsimRefreshRefusedError extends Error {
  override name = 'EsimRefreshRefusedError';
  readonly installed: boolean;
  readonly esimStatus: string | undefined;
  readonly answer: string | undefined;
  constructor(info: EsimInfo) {
    super(
      `ONSIM did not refresh the code (refresh_code: ${info.refresh_code ?? 'none'}, esim_status: ${info.esim_status ?? 'unknown'})`,
    );
    this.installed = isInstalled(info);
    this.esimStatus = info.esim_status;
    this.answer = info.refresh_code;
  }
}

/** ONSIM says "esim code refreshed" on success, "error" (or "… not refreshed") otherwise. */
const wasRefreshed = (answer: string | undefined): boolean =>
  answer !== undefined && /\brefreshed\b/i.test(answer) && !/\bnot\b|\berror\b/i.test(answer);

/** Stores the pending refresh and returns the confirm/cancel message for the requester. */
async function requestRefresh(
  deps: AppDeps,
  client: WebClient,
  who: { userId: string; channelId: string | null },
  ref: EsimRef,
): Promise<Message> {
  const c = await requestConfirmation(deps, client, {
    operation: ESIM_REFRESH_OPERATION,
    userId: who.userId,
    channelId: who.channelId,
    target: ref.value,
    payload: { ref: encodeEsimRef(ref) },
    detail: describeEsimRef(ref),
  });
  return esimRefreshPrompt({ ref, confirmation: c });
}

async function refresh(deps: AppDeps, client: WebClient, c: Confirmation): Promise<ConfirmedResult> {
  const payload = RefreshPayload.safeParse(c.payload);
  const ref = payload.success ? decodeEsimRef(payload.data.ref) : null;
  if (!ref)
    return { reply: plain('⚠️ This confirmation is damaged and was not carried out. Run the refresh again.') };
  const outcome = await runConfirmed(deps, client, c, describeEsimRef(ref), async () => {
    const info = await deps.onsim.account.refreshEsimCode(esimQuery(ref));
    if (!wasRefreshed(info.refresh_code)) throw new EsimRefreshRefusedError(info);
    return info.esim_status;
  });
  const who = esc(describeEsimRef(ref));
  switch (outcome.kind) {
    case 'succeeded':
      return { reply: esimRefreshedMessage(ref), record: esimRefreshRecord(ref, c.userId) };
    case 'outcome_unknown':
      return {
        reply: plain(describeFailure(outcome.error, `refresh the eSIM activation code of ${who}`)),
        record: `❓ eSIM code refresh of ${who} by ${mention(c.userId)}: *outcome unknown* — the old code may no longer work. Check with \`/onsim esim\` before retrying.`,
      };
    case 'failed': {
      const err = outcome.error;
      if (err instanceof EsimRefreshRefusedError) {
        return {
          reply: plain(
            err.installed
              ? `⚠️ The eSIM of ${who} is *already installed: the code cannot be refreshed*. ONSIM only refreshes codes of eSIMs not installed yet. Nothing changed; the phone keeps working.`
              : `⚠️ ONSIM did not refresh the activation code of ${who} (it answered “${esc(err.answer ?? 'nothing')}”; eSIM status: ${esc(err.esimStatus ?? 'unknown')}). Nothing changed; the current code still stands.`,
          ),
        };
      }
      return {
        reply: plain(
          `${describeFailure(err, `refresh the eSIM activation code of ${who}`)}\nThe current code still stands.`,
        ),
      };
    }
  }
}

function click(
  body: BlockAction,
  action: ButtonAction,
  client: WebClient,
  respond: ConfirmationClick['respond'],
): ConfirmationClick {
  return {
    confirmationId: action.value ?? '',
    userId: body.user.id,
    channelId: clickChannel(body),
    client,
    respond,
  };
}

/** The eSIM card's "Refresh code" button: value = `mpn:…`, `iccid:…` or `i_account:…`. */
export const onEsimRefreshButton =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, client, respond }) => {
    await ack();
    const who = { userId: body.user.id, channelId: clickChannel(body) };
    const ref = decodeEsimRef(action.value ?? '');
    const auth = await authorize(deps, client, who, 'operator', ESIM_REFRESH_OPERATION, ref?.value ?? null);
    if (!auth.ok) {
      await answerClick(deps, respond, plain(auth.message), false);
      return;
    }
    if (!ref) {
      await answerClick(
        deps,
        respond,
        plain('⚠️ This button names no eSIM the bot understands. Nothing was done.'),
        false,
      );
      return;
    }
    await answerClick(deps, respond, await requestRefresh(deps, client, who, ref), false);
  };

export const onEsimRefreshConfirm =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, client, respond }) => {
    await ack();
    await confirmClick(deps, click(body, action, client, respond), {
      need: 'operator',
      operation: ESIM_REFRESH_OPERATION,
      run: (c) => refresh(deps, client, c),
    });
  };

export const onEsimRefreshCancel =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, client, respond }) => {
    await ack();
    await cancelClick(deps, click(body, action, client, respond));
  };

export const esimRefresh: Subcommand = {
  name: 'esim-refresh',
  aliases: ['refresh-esim'],
  usage: 'esim-refresh <mpn or iccid>',
  summary: 'Issue a new eSIM activation code (the old one stops working; asks you to confirm)',
  role: 'operator',
  operation: ESIM_REFRESH_OPERATION,
  async run(inv, deps) {
    const ref = readEsimRef(inv.args.join(' '), deps.config.defaultCountry);
    if (!ref.ok) {
      await inv.reply(plain(`⚠️ ${esc(ref.error)} Usage: \`/onsim esim-refresh <mpn or iccid>\`.`));
      return;
    }
    const msg = await requestRefresh(
      deps,
      inv.client,
      { userId: inv.userId, channelId: inv.channelId },
      ref.value,
    );
    await inv.reply(msg);
  },
};
