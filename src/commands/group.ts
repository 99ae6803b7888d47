import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { perform } from '../guard/perform.js';
import type { Logger } from '../logger.js';
import type { NewGroup } from '../onsim/reseller.js';
import { ackTimeLeft } from '../slack/ack-budget.js';
import type { SubmissionHandler } from '../slack/handlers.js';
import { plain } from '../slack/message.js';
import { formNotOpened } from '../slack/modal.js';
import { type Recipient, tellUser } from '../slack/tell.js';
import { echo, esc, mention } from '../slack/text.js';
import { viewSubmission } from '../slack/view-submission.js';
import { FIELD_NAME, GROUP_TITLE, groupMetadata, groupModal, parseGroupSubmission } from '../views/group.js';
import { SLASH_COMMAND } from '../views/rerun.js';
import { isConflict, reportOutcome, within } from './change-flow.js';
import { openSubmission, submitted } from './form-submission.js';
import { forgetProvisionLists } from './provision-lists.js';
import type { Subcommand } from './types.js';

export const GROUP_OPERATION = 'add group';
const USAGE = 'group add [name]';
/**
 * How long the submission may wait for ONSIM's group list to catch a duplicate name on the
 * field. Slack wants the answer within 3 s; when ONSIM is slower the form closes and a
 * duplicate is reported from ONSIM's own 409 instead.
 */
const DUPLICATE_CHECK_MS = 1_500;

const usageLine = (): string =>
  `Usage: \`${SLASH_COMMAND} ${esc(USAGE)}\` opens a form to add a customer group at ONSIM, e.g. \`${SLASH_COMMAND} group add\`. \`${SLASH_COMMAND} groups\` lists the groups.`;

/** The existing group with this name (ONSIM compares without case), when ONSIM answers in time. */
async function existingGroup(
  deps: AppDeps,
  log: Logger,
  name: string,
  waitMs: number,
): Promise<string | undefined> {
  try {
    const answer = await within(waitMs, deps.onsim.reseller.listGroups());
    if (answer.timedOut) {
      log.info('group list too slow for the duplicate check; ONSIM will refuse a duplicate itself');
      return undefined;
    }
    return answer.value.find((g) => g.name.toLowerCase() === name.toLowerCase())?.name;
  } catch (err) {
    log.info(
      { err },
      'could not read the groups for the duplicate check; ONSIM will refuse a duplicate itself',
    );
    return undefined;
  }
}

const alreadyExists = (name: string): string =>
  `A group named “${name}” already exists at ONSIM. Choose another name (\`${SLASH_COMMAND} groups\` lists them).`;

async function addGroup(deps: AppDeps, client: WebClient, who: Recipient, group: NewGroup): Promise<void> {
  const name = esc(group.name);
  const outcome = await perform(
    deps,
    client,
    {
      ...who,
      operation: GROUP_OPERATION,
      target: group.name,
      detail: `home location ${group.home_location}`,
    },
    () => deps.onsim.reseller.addGroup(group),
  );
  // The provisioning form's group menu must offer the new group at once, not in 5 minutes.
  if (outcome.kind !== 'failed') forgetProvisionLists(deps.onsim);
  if (outcome.kind === 'succeeded') deps.logger.info({ group: group.name, user: who.userId }, 'group added');
  await reportOutcome(
    deps,
    client,
    who,
    outcome,
    {
      record: `👥 Group *${name}* added by ${mention(who.userId)}`,
      done: `✅ Group *${name}* added at ONSIM.`,
      what: `add the group *${name}*`,
      explain: (err) =>
        isConflict(err) ? `⚠️ ${esc(alreadyExists(group.name))} Nothing was added.` : undefined,
    },
    (msg) => tellUser(deps, client, who, msg),
    'when_unrecorded',
  );
}

export const onGroupSubmit = (deps: AppDeps): SubmissionHandler =>
  viewSubmission(deps, async ({ ack, body, view, client, context }) => {
    const form = await openSubmission(deps, client, submitted(body, view), {
      title: GROUP_TITLE,
      metadata: groupMetadata,
      again: `${SLASH_COMMAND} group add`,
      nothing: 'added',
      need: 'operator',
      operation: GROUP_OPERATION,
      channel: (meta) => meta.channel,
      parse: parseGroupSubmission,
      target: (_meta, fields) => fields?.group.name ?? null,
    });
    if (!form.ok) return void (await ack(form.answer));
    const { who, fields } = form;
    const log = deps.logger.child({ name: 'group', user: who.userId });
    const taken = await existingGroup(deps, log, fields.group.name, ackTimeLeft(context, DUPLICATE_CHECK_MS));
    if (taken !== undefined) {
      await ack({ response_action: 'errors', errors: { [FIELD_NAME]: alreadyExists(taken) } });
      return;
    }
    await ack();
    await addGroup(deps, client, who, fields.group);
  });

export const group: Subcommand = {
  name: 'group',
  usage: USAGE,
  summary: 'Add a customer group at ONSIM (a form)',
  role: 'operator',
  operation: GROUP_OPERATION,
  async run(inv) {
    const [verb, ...rest] = inv.args;
    if (verb?.toLowerCase() !== 'add') {
      const got = verb ? `${echo(verb)} is not something \`group\` does. ` : '';
      await inv.reply(plain(`${got}${usageLine()}`));
      return;
    }
    if (!inv.triggerId) {
      await inv.reply(plain(`Type \`${SLASH_COMMAND} group add\` yourself to open the form.`));
      return;
    }
    inv.answeringInModal();
    try {
      await inv.client.views.open({
        trigger_id: inv.triggerId,
        view: groupModal({ metadata: { channel: inv.channelId }, name: rest.join(' ') || undefined }),
      });
    } catch (err) {
      inv.log.warn({ err }, 'could not open the group form');
      await inv.reply(formNotOpened(err, 'the group form', `Type \`${SLASH_COMMAND} group add\` again.`));
    }
  },
};
