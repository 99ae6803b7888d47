// `/onsim usage watch <mpn> [percent]`, `usage unwatch <mpn>`, `usage watching`: data-usage alerts
// in this channel (the follow poller checks each watched line, src/follow/usage.ts).
import type { AppDeps } from '../deps.js';
import { usageOf } from '../follow/usage.js';
import { audit } from '../guard/audit.js';
import { OnsimNotFoundError } from '../onsim/errors.js';
import { EXAMPLES, formatMpn, recogniseIdentifier } from '../onsim/identifiers.js';
import { describeFailure } from '../slack/failure.js';
import { plain } from '../slack/message.js';
import { postRecord } from '../slack/record.js';
import { echo, esc, mention } from '../slack/text.js';
import { listMessage } from '../views/list.js';
import { SLASH_COMMAND } from '../views/rerun.js';
import { mayDo } from './invocation.js';
import type { Invocation, Subcommand } from './types.js';

export const DEFAULT_THRESHOLD = 80;
const USAGE = 'usage watch <mpn> [percent] | usage unwatch <mpn> | usage watching';
const EXAMPLE = `\`${SLASH_COMMAND} usage watch ${EXAMPLES.mpnNational} 80\``;

const every = (deps: AppDeps): string => {
  const s = deps.config.usagePollSeconds;
  return s % 60 === 0 ? `${s / 60} min` : `${s} s`;
};

/** The MPN and optional percent of `watch <mpn> [percent]`; the number may be typed with spaces. */
function parseWatch(
  words: string[],
  deps: AppDeps,
): { ok: true; mpn: string; threshold: number } | { ok: false; message: string } {
  if (words.length === 0) return { ok: false, message: `Which line? Example: ${EXAMPLE}.` };
  let threshold = DEFAULT_THRESHOLD;
  let numberWords = words;
  const last = words.at(-1) ?? '';
  const percent = /^(\d{1,3})%?$/.exec(last);
  if (words.length > 1 && (percent || last.endsWith('%'))) {
    const value = percent ? Number(percent[1]) : Number.NaN;
    if (!Number.isInteger(value) || value < 1 || value > 99) {
      return {
        ok: false,
        message: `⚠️ ${echo(last)} is not a threshold: give a whole percent from 1 to 99 (100 % always alerts), e.g. ${EXAMPLE}.`,
      };
    }
    threshold = value;
    numberWords = words.slice(0, -1);
  }
  const mpn = recogniseIdentifier(numberWords.join(' '), ['mpn'], deps.config.defaultCountry);
  if (!mpn.ok) return { ok: false, message: `⚠️ ${esc(mpn.error)} Example: ${EXAMPLE}.` };
  return { ok: true, mpn: mpn.value.value, threshold };
}

/** Said when the channel refuses the record: the alerts would be refused too. */
const CANNOT_POST_HERE =
  '\n⚠️ I cannot post in this channel, so alerts cannot arrive here yet: add me to the channel (`/invite`) first.';

async function recordInChannel(inv: Invocation, deps: AppDeps, text: string): Promise<string> {
  return (await postRecord(deps, inv.client, inv.channelId, text)) ? '' : CANNOT_POST_HERE;
}

async function watch(inv: Invocation, deps: AppDeps): Promise<void> {
  const parsed = parseWatch(inv.args.slice(1), deps);
  if (!parsed.ok) {
    await inv.reply(plain(parsed.message));
    return;
  }
  const { mpn, threshold } = parsed;
  if (!(await mayDo(inv, deps, 'operator', 'usage watch', mpn))) return;
  const shown = esc(formatMpn(mpn));
  // The line must exist; its current usage goes in the answer.
  let now = '';
  try {
    const current = usageOf(await deps.onsim.account.get(mpn));
    now = current
      ? ` It is at ${Math.floor(current.percent)}% of ${esc(current.bundle ?? 'its bundle')} now.`
      : ' ONSIM shows no data allowance for it yet, so there is nothing to measure until it has one.';
  } catch (err) {
    inv.log.warn({ err, mpn }, 'usage watch: account look-up failed');
    const why =
      err instanceof OnsimNotFoundError
        ? `🔍 ONSIM has no account for ${shown}, so there is nothing to watch.`
        : `${describeFailure(err, `check ${shown}`)} No watch was added.`;
    await inv.reply(plain(why));
    return;
  }
  const { created } = await deps.store.upsertUsageWatch({
    channelId: inv.channelId,
    mpn,
    threshold,
    createdBy: inv.userId,
    createdAt: deps.now(),
  });
  await audit(deps, inv.client, {
    userId: inv.userId,
    channelId: inv.channelId,
    operation: 'usage watch',
    target: mpn,
    event: 'succeeded',
    detail: `${created ? 'watching' : 'threshold changed to'} ${threshold}% in ${inv.channelId}`,
  });
  const warning = await recordInChannel(
    inv,
    deps,
    `📶 ${mention(inv.userId)} set this channel to be told when *${shown}* passes ${threshold}% of its data, and again at 100%.`,
  );
  await inv.reply(
    plain(
      `✅ ${created ? 'Watching' : 'Now watching'} *${shown}* at ${threshold}% (checked every ${every(deps)}).${now} \`${SLASH_COMMAND} usage unwatch ${esc(mpn)}\` stops it.${warning}`,
    ),
  );
}

async function unwatch(inv: Invocation, deps: AppDeps): Promise<void> {
  const words = inv.args.slice(1);
  const mpn = recogniseIdentifier(words.join(' '), ['mpn'], deps.config.defaultCountry);
  if (words.length === 0 || !mpn.ok) {
    const why = words.length === 0 ? 'Which line?' : `⚠️ ${esc(mpn.ok ? '' : mpn.error)}`;
    await inv.reply(plain(`${why} Example: \`${SLASH_COMMAND} usage unwatch ${EXAMPLES.mpnNational}\`.`));
    return;
  }
  const target = mpn.value.value;
  if (!(await mayDo(inv, deps, 'operator', 'usage unwatch', target))) return;
  const shown = esc(formatMpn(target));
  if (!(await deps.store.removeUsageWatch(inv.channelId, target))) {
    await inv.reply(
      plain(
        `ℹ️ This channel was not watching *${shown}*. \`${SLASH_COMMAND} usage watching\` lists its watches.`,
      ),
    );
    return;
  }
  await audit(deps, inv.client, {
    userId: inv.userId,
    channelId: inv.channelId,
    operation: 'usage unwatch',
    target,
    event: 'succeeded',
    detail: `stopped in ${inv.channelId}`,
  });
  const warning = await recordInChannel(
    inv,
    deps,
    `📶 ${mention(inv.userId)} stopped the data-usage alerts of *${shown}* here.`,
  );
  await inv.reply(plain(`✅ Stopped watching *${shown}* in this channel.${warning}`));
}

async function watching(inv: Invocation, deps: AppDeps): Promise<void> {
  const watches = await deps.store.listUsageWatches(inv.channelId);
  await inv.reply(
    listMessage({
      title: 'Data usage watched in this channel',
      intro: `Checked every ${every(deps)}. Operators: ${EXAMPLE} adds one.`,
      rows: watches.map((w) => {
        const level =
          w.lastPercent === null
            ? 'not checked yet'
            : `${Math.floor(w.lastPercent)}% used${w.lastBundle ? ` of ${esc(w.lastBundle)}` : ''}`;
        const alerted =
          w.fullAlert === 2
            ? ' · 🔴 100% alerted'
            : w.thresholdAlert === 2
              ? ` · 🟠 ${w.threshold}% alerted`
              : '';
        return `• *${esc(formatMpn(w.mpn))}* · alert at ${w.threshold}% · ${level}${alerted} · by ${mention(w.createdBy)}`;
      }),
      noun: ['line', 'lines'],
      page: inv.page,
      commandText: inv.text,
      empty: `This channel watches no line's data usage. An operator can start with ${EXAMPLE}.`,
    }),
  );
}

export const usage: Subcommand = {
  name: 'usage',
  usage: USAGE,
  summary:
    'Alerts in this channel when a line passes a share of its data (default 80%) and at 100%; watch and unwatch need an operator',
  role: 'viewer',
  async run(inv, deps) {
    const sub = (inv.args[0] ?? '').toLowerCase();
    if (sub === 'watch') return watch(inv, deps);
    if (sub === 'unwatch') return unwatch(inv, deps);
    if (sub === 'watching' || sub === '') return watching(inv, deps);
    await inv.reply(
      plain(
        `⚠️ ${echo(inv.args[0] ?? '')} is not a usage command: use \`watch\`, \`unwatch\` or \`watching\`, e.g. ${EXAMPLE}.`,
      ),
    );
  },
};
