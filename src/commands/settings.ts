import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { perform } from '../guard/perform.js';
import type { Logger } from '../logger.js';
import { OnsimNotFoundError } from '../onsim/errors.js';
import { EXAMPLES, formatMpn, parseMpn } from '../onsim/identifiers.js';
import { describeFailure } from '../slack/failure.js';
import type { ButtonHandler, SubmissionHandler } from '../slack/handlers.js';
import { plain } from '../slack/message.js';
import { formNotOpened, openThenFill } from '../slack/modal.js';
import { type Recipient, tellUser } from '../slack/tell.js';
import { esc, mention } from '../slack/text.js';
import { viewSubmission } from '../slack/view-submission.js';
import { noticeModal } from '../views/confirm.js';
import { SLASH_COMMAND } from '../views/rerun.js';
import {
  describeSettingsChanges,
  parseSettingsSubmission,
  SETTINGS_TITLE,
  type SettingsChanges,
  settingsLoadingModal,
  settingsMetadata,
  settingsModal,
  settingsPrefill,
} from '../views/settings.js';
import { cardFormButton } from './card-button.js';
import { reportOutcome } from './change-flow.js';
import { openSubmission, submitted } from './form-submission.js';
import { typedMpn } from './invocation.js';
import type { Subcommand } from './types.js';

export const SETTINGS_OPERATION = 'change settings';
const USAGE = 'settings <mpn>';

const usageLine = (): string =>
  `Usage: \`${SLASH_COMMAND} ${esc(USAGE)}\`, e.g. \`${SLASH_COMMAND} settings ${EXAMPLES.mpn}\`: a form shows the line's settings to change.`;

/** Opens the settings form at once, then fills it from the account info. */
async function openSettingsForm(
  deps: AppDeps,
  client: WebClient,
  log: Logger,
  at: { triggerId: string; mpn: string; channelId: string | null },
): Promise<void> {
  const shown = esc(formatMpn(at.mpn));
  await openThenFill(client, log, at.triggerId, settingsLoadingModal(at.mpn), async () => {
    try {
      const account = await deps.onsim.account.get(at.mpn);
      const name = [account.first_name, account.last_name]
        .map((s) => s?.trim())
        .filter(Boolean)
        .join(' ');
      return settingsModal({
        metadata: { mpn: at.mpn, channel: at.channelId, prefill: settingsPrefill(account) },
        name,
      });
    } catch (err) {
      if (err instanceof OnsimNotFoundError) {
        return noticeModal(
          SETTINGS_TITLE,
          `🔍 ONSIM has no account for ${shown}. Check the number and try again.`,
        );
      }
      log.warn({ err, mpn: at.mpn }, 'could not read the account for the settings form');
      return noticeModal(SETTINGS_TITLE, describeFailure(err, `read the settings of ${shown}`));
    }
  });
}

/** Field names only: the audit trail never holds the values (the password least of all). */
const auditDetail = (changes: SettingsChanges): string => `fields: ${Object.keys(changes).join(', ')}`;

async function changeSettings(
  deps: AppDeps,
  client: WebClient,
  who: Recipient,
  mpn: string,
  changes: SettingsChanges,
): Promise<void> {
  const shown = esc(formatMpn(mpn));
  const outcome = await perform(
    deps,
    client,
    { ...who, operation: SETTINGS_OPERATION, target: mpn, detail: auditDetail(changes) },
    () => deps.onsim.account.updateMobileSettings(mpn, changes),
  );
  if (outcome.kind === 'succeeded') {
    deps.logger.info({ mpn, fields: Object.keys(changes), user: who.userId }, 'mobile settings changed');
  }
  const list = describeSettingsChanges(changes).join(' · ');
  await reportOutcome(
    deps,
    client,
    who,
    outcome,
    {
      record: `⚙️ Settings of ${shown} changed by ${mention(who.userId)}: ${list}`,
      done: `✅ Settings of ${shown} changed: ${list}`,
      what: `change the settings of ${shown}`,
    },
    (msg) => tellUser(deps, client, who, msg),
    'when_unrecorded',
  );
}

/** The account card's "Settings" button: value = the MPN. */
export const onSettingsButton = (deps: AppDeps): ButtonHandler =>
  cardFormButton(deps, {
    need: 'operator',
    operation: SETTINGS_OPERATION,
    form: 'the settings form',
    parse: (value) => parseMpn(value, deps.config.defaultCountry),
    open: (client, log, at) =>
      openSettingsForm(deps, client, log, {
        triggerId: at.triggerId,
        mpn: at.value,
        channelId: at.channelId,
      }),
  });

export const onSettingsSubmit = (deps: AppDeps): SubmissionHandler =>
  viewSubmission(deps, async ({ ack, body, view, client }) => {
    const form = await openSubmission(deps, client, submitted(body, view), {
      title: SETTINGS_TITLE,
      metadata: settingsMetadata,
      again: `${SLASH_COMMAND} settings`,
      nothing: 'changed',
      need: 'operator',
      operation: SETTINGS_OPERATION,
      channel: (meta) => meta.channel,
      parse: (values, meta) => parseSettingsSubmission(values, meta, deps.config.defaultCountry),
      target: (meta) => meta.mpn,
    });
    if (!form.ok) return void (await ack(form.answer));
    await ack();
    await changeSettings(deps, client, form.who, form.meta.mpn, form.fields.changes);
  });

export const settings: Subcommand = {
  name: 'settings',
  usage: USAGE,
  summary: 'Change names, email, services, number or SIP login of a line (a form)',
  role: 'operator',
  operation: SETTINGS_OPERATION,
  async run(inv, deps) {
    const mpn = await typedMpn(inv, deps, inv.args.join(' '), usageLine());
    if (mpn === null) return;
    if (!inv.triggerId) {
      await inv.reply(plain(`Type \`${SLASH_COMMAND} settings …\` yourself to open the settings form.`));
      return;
    }
    inv.answeringInModal();
    try {
      await openSettingsForm(deps, inv.client, inv.log, {
        triggerId: inv.triggerId,
        mpn: mpn.value,
        channelId: inv.channelId,
      });
    } catch (err) {
      inv.log.warn({ err }, 'could not open the settings form');
      await inv.reply(formNotOpened(err, 'the settings form', `Type \`${SLASH_COMMAND} settings …\` again.`));
    }
  },
};
