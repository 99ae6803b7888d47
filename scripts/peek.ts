// `npm run peek`: prints, as plain text, what an ops person sees for a few typical commands and
// modals (the real app, a fake Slack and the ONSIM sandbox). For reading the wording, not a test.
import { startTestBot, USERS } from '../test/support/bot.js';
import { waitFor } from '../test/support/wait.js';

function render(blocks: unknown[]): string {
  const out: string[] = [];
  const walk = (b: Record<string, unknown>) => {
    const t = (x: unknown) =>
      x && typeof x === 'object' && 'text' in x ? String((x as { text: unknown }).text) : '';
    switch (b.type) {
      case 'header':
        out.push(`# ${t(b.text)}`);
        break;
      case 'section':
        if (b.text) out.push(t(b.text));
        if (Array.isArray(b.fields)) out.push(b.fields.map(t).join(' | '));
        if (b.accessory)
          out.push(
            `  [accessory ${(b.accessory as { type: string }).type}: ${t((b.accessory as { text?: unknown }).text)}]`,
          );
        break;
      case 'context':
        out.push(`  (${(b.elements as unknown[]).map(t).join(' ')})`);
        break;
      case 'actions':
        out.push(
          `  [${(b.elements as Record<string, unknown>[]).map((e) => `${t(e.text) || e.type}${e.style ? `:${e.style}` : ''}`).join('] [')}]`,
        );
        break;
      case 'divider':
        out.push('  ---');
        break;
      case 'input':
        out.push(
          `  <input ${b.block_id}: ${t(b.label)}${b.optional ? ' (optional)' : ''} ${(b.element as { type: string }).type}${b.hint ? ` hint: ${t(b.hint)}` : ''}>`,
        );
        break;
      default:
        out.push(`  <${b.type}>`);
    }
  };
  for (const b of blocks) walk(b as Record<string, unknown>);
  return out.join('\n');
}

const bot = await startTestBot();
const show = async (text: string, user: string = USERS.admin) => {
  const res = await bot.driver.command(text, { user });
  await waitFor(
    () => bot.slack.responsesTo(res.responseUrl).length > 0 || bot.slack.callsTo('views.open').length > 0,
    { what: text },
  );
  await new Promise((r) => setTimeout(r, 300));
  const r = bot.slack.responsesTo(res.responseUrl).at(-1);
  process.stdout.write(
    `\n===== /onsim ${text} (as ${user})\n${r ? render(r.body.blocks as unknown[]) : '(no response)'}\n`,
  );
};
await show('help', USERS.viewer);
await show('account 07700 900123');
await show('esim 07700 900124', USERS.operator);
await show('subscribers');
await show('ports');
await show('find okafor');
await show('find 07700 900');
await show('usage watch 07700 900123 80', USERS.operator);
await show('usage watching');
await show('bogus');
await show('cease 07700 900123', USERS.operator);
for (const cmd of ['cease 07700 900123', 'recording 07700 900123 voice off sms on', 'provision']) {
  bot.slack.reset();
  await bot.driver.command(cmd, { user: USERS.admin });
  await waitFor(
    () => bot.slack.callsTo('views.update').length > 0 || bot.slack.callsTo('views.open').length > 0,
    { what: cmd },
  );
  await new Promise((r) => setTimeout(r, 600));
  const v = (bot.slack.callsTo('views.update').at(-1) ?? bot.slack.callsTo('views.open').at(-1))!.args
    .view as Record<string, unknown>;
  process.stdout.write(
    `\n===== modal for /onsim ${cmd}: title "${(v.title as { text: string }).text}" submit "${(v.submit as { text: string } | undefined)?.text}"\n${render(v.blocks as unknown[])}\n`,
  );
}

// The Home tab as an operator sees it, and the follow-ups' messages.
bot.slack.reset();
await bot.driver.event({ type: 'app_home_opened', user: USERS.operator, channel: 'D0HOME', tab: 'home' });
await waitFor(() => bot.slack.callsTo('views.publish').length > 0, { what: 'the Home tab' });
await new Promise((r) => setTimeout(r, 300));
const home = bot.slack.callsTo('views.publish').at(-1)!.args.view as Record<string, unknown>;
process.stdout.write(`\n===== App Home (as ${USERS.operator})\n${render(home.blocks as unknown[])}\n`);

const { esimInstalledMessage, esimNotInstalledNote, usageAlertMessage } = await import(
  '../src/views/follow.js'
);
const subject = { mpn: '447700900124', iccid: '8944530100000001023', iAccount: null };
const at = Date.UTC(2026, 11, 3, 14, 2);
for (const [title, msg] of [
  [
    'QR message once the eSIM is installed',
    esimInstalledMessage({
      ...subject,
      installedAt: at,
      enabledOnDevice: true,
      qrDeleted: true,
      posterId: USERS.operator,
    }),
  ],
  ['thread note when not installed in time', esimNotInstalledNote({ ...subject, startedAt: at, hours: 24 })],
  [
    'usage alert at 80%',
    usageAlertMessage({
      mpn: '447700900123',
      percent: 82.3,
      threshold: 80,
      level: 'threshold',
      bundle: '10GB',
      figures: '8.2 GB used of 10 GB',
      period: '1 Nov – 1 Dec 2026',
    }),
  ],
] as const) {
  process.stdout.write(`\n===== ${title}\n${render(msg.blocks)}\n`);
}
await bot.close();
