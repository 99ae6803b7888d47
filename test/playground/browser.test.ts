/**
 * The playground in a real browser (headless Debian Chromium through playwright-core), used as
 * a newcomer would: typing commands, filling modals, switching person, steering the sandbox.
 * With PLAYGROUND_SCREENSHOT=<path> it also writes the README's screenshot (npm run screenshot).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES } from '../../src/onsim/sandbox/seed.js';
import { CHANNELS, PEOPLE } from '../../src/playground/people.js';
import {
  type BrowserSession,
  haveChromium,
  openBrowser,
  type RunningPlayground,
  startPlaygroundProcess,
} from '../support/playground.js';
import { waitFor } from '../support/wait.js';

// CI installs Chromium (.ci/run); a developer without it sees these skipped, not failed.
const run = haveChromium || process.env.CI ? describe : describe.skip;

let playground: RunningPlayground;
let session: BrowserSession;
const page = () => session.page;

const as = async (person: { id: string }) => {
  await page().selectOption('#person', person.id);
  await page().locator(`#person option[value="${person.id}"]:checked`).waitFor({ state: 'attached' });
};
const open = async (channel: { id: string }) => {
  await page().click(`.nav[data-channel="${channel.id}"]`);
  await page().locator(`.nav.active[data-channel="${channel.id}"]`).waitFor();
};
const type = async (text: string) => {
  const box = page().locator('.main .composer textarea');
  await box.fill(text);
  await box.press('Enter');
};
const modal = () => page().locator('.overlay .modal').first();
const field = (blockId: string) => modal().locator(`.b-input[data-block-id="${blockId}"]`);

beforeAll(async () => {
  playground = await startPlaygroundProcess();
  session = await openBrowser(playground.url);
}, 90_000);
afterAll(async () => {
  await session?.close();
  await playground?.stop();
});

run('the playground in a browser', () => {
  it('shows the account card for /onsim account, with its buttons', async () => {
    await as(PEOPLE.operator);
    await open(CHANNELS.ops);
    await type(`/onsim account ${SANDBOX_FIXTURES.installedEsimMpn}`);
    const card = page().locator('.main .message', { hasText: '+44 7700 900123' }).last();
    await card.locator('.b-header').waitFor();
    expect(await card.locator('.only-you').textContent()).toContain('Only visible to you');
    expect(await card.locator('.b-actions .btn').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('Change bundle')]),
    );
    const shot = process.env.PLAYGROUND_SCREENSHOT;
    if (shot) await page().screenshot({ path: shot });
  });

  it('runs the global shortcut from ⚡ and the message shortcut from a message’s ⋯ menu', async () => {
    await page().click('.main .composer .shortcuts summary');
    await page().click('.main .composer [data-shortcut="provision_shortcut"]');
    await modal().locator('h2', { hasText: 'Provision a SIM' }).waitFor();
    await modal().locator('[data-modal="close"]').first().click();
    await page().locator('.overlay .modal').waitFor({ state: 'detached' });

    const card = page().locator('.main .message', { hasText: '+44 7700 900123' }).last();
    await card.hover();
    await card.locator('.message-actions summary').click();
    await card.locator('[data-shortcut="lookup_in_onsim"]').click();
    await page().locator('.main .message', { hasText: 'Olivia Bennett' }).nth(1).waitFor({ timeout: 20_000 });
  });

  it('completes /onsim subcommands from the command table', async () => {
    await page().locator('.main .composer textarea').fill('/onsim pro');
    const items = page().locator('.completion-item');
    await items.first().waitFor();
    expect(await items.allTextContents()).toEqual([expect.stringContaining('/onsim provision')]);
    await page().locator('.main .composer textarea').press('Tab');
    expect(await page().locator('.main .composer textarea').inputValue()).toBe('/onsim provision ');
    await page().locator('.main .composer textarea').fill('');
  });

  it('provisions an eSIM through the modal: a bad email is refused under its field, then the QR arrives', async () => {
    await as(PEOPLE.operator);
    await open(CHANNELS.provisioning);
    await type('/onsim provision');
    await field('mpn').waitFor();
    await field('mpn').locator('input').fill(SANDBOX_FIXTURES.reservedNumber);
    await field('group_name').locator('select').selectOption(SANDBOX_FIXTURES.groupName);
    await field('product').locator('select').selectOption({ index: 1 });
    await field('mobile_data').locator('select').selectOption({ index: 1 });
    await field('first_name').locator('input').fill('Nia');
    await field('last_name').locator('input').fill('Okafor');
    await field('email').locator('input').fill('nia.okafor-at-example');
    await modal().locator('[data-modal="submit"]').click();

    const error = field('email').locator('.field-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/email/i);
    // What was typed is still there, as in Slack.
    expect(await field('first_name').locator('input').inputValue()).toBe('Nia');

    await field('email').locator('input').fill('nia.okafor@example.com');
    await modal().locator('[data-modal="submit"]').click();
    await page().locator('.overlay .modal').waitFor({ state: 'detached', timeout: 20_000 });
    const qr = page().locator('.main .message .file.image img').last();
    await qr.waitFor({ timeout: 20_000 });
    const src = await qr.getAttribute('src');
    const png = await fetch(src ?? '');
    expect(png.headers.get('content-type')).toBe('image/png');
  });

  it("asks the button's confirm dialog before deleting the QR, and deletes it in place", async () => {
    await as(PEOPLE.operator);
    await open(CHANNELS.provisioning);
    const images = page().locator('.main .message .file.image');
    const before = await images.count();
    expect(before).toBeGreaterThan(0);
    const button = page().locator('.main .message .btn.danger', { hasText: 'Delete QR' }).last();
    await button.click();
    const dialog = page().locator('.confirm-overlay .modal');
    await dialog.locator('h2', { hasText: 'Delete the QR?' }).waitFor();
    await dialog.locator('[data-answer="no"]', { hasText: 'Keep it' }).click();
    expect(await images.count()).toBe(before);

    await button.click();
    await page().locator('.confirm-overlay [data-answer="yes"]', { hasText: 'Delete QR' }).click();
    await waitFor(async () => (await images.count()) < before, {
      what: 'the QR image to go',
      timeoutMs: 15_000,
    });
  });

  it('ceases a SIM only behind its typed confirmation', async () => {
    await as(PEOPLE.admin);
    await open(CHANNELS.ops);
    await type(`/onsim cease ${SANDBOX_FIXTURES.psimMpn}`);
    const input = field('confirm_mpn').locator('input');
    await input.waitFor();
    await input.fill('447700900999');
    await modal().locator('[data-modal="submit"]').click();
    await modal().locator('.field-error').waitFor();
    expect(await modal().locator('.field-error').textContent()).toContain('nothing was ceased');

    await input.fill('07700 900125');
    await modal().locator('[data-modal="submit"]').click();
    await modal().locator('.modal-body', { hasText: 'is ceased' }).waitFor({ timeout: 20_000 });
    await modal().locator('[data-modal="close"]').first().click();
    await page().locator('.overlay .modal').waitFor({ state: 'detached' });
    // The record everyone in the channel sees.
    await page()
      .locator('.main .message:not(.ephemeral)', { hasText: /ceased/i })
      .first()
      .waitFor();
  });

  it('refuses a viewer, saying which role is needed', async () => {
    await as(PEOPLE.viewer);
    await open(CHANNELS.ops);
    await type(`/onsim cease ${SANDBOX_FIXTURES.readyEsimMpn}`);
    const refusal = page().locator('.main .message', { hasText: 'needs the' }).last();
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/needs the admin role; you are a viewer/);
    expect(await page().locator('.overlay .modal').count()).toBe(0);
  });

  it('posts a port moved in the sandbox panel as an alert in #porting, with its changes in a thread', async () => {
    await as(PEOPLE.operator);
    await open(CHANNELS.porting);
    await page().click('[data-panel="sandbox"]');
    const status = page().locator(`select[data-port="${SANDBOX_FIXTURES.openPortId}"]`);
    await status.selectOption('IN PROGRESS');
    await page().locator('.main .message', { hasText: 'IN PROGRESS' }).first().waitFor({ timeout: 30_000 });
    await page().locator(`select[data-port="${SANDBOX_FIXTURES.openPortId}"]`).selectOption('FAILED');
    const replies = page().locator('.main .message .replies').first();
    await replies.waitFor({ timeout: 30_000 });
    await replies.click();
    await page().locator('.thread .message', { hasText: 'FAILED' }).first().waitFor({ timeout: 30_000 });
    await page().click('[data-close-thread]');
    await page().click('[data-panel="sandbox"]');
  });

  it('shows the Home tab for the person looking', async () => {
    await as(PEOPLE.operator);
    await page().click('.nav[data-app="home"]');
    const home = page().locator('.home');
    await home.waitFor({ timeout: 20_000 });
    expect(await home.locator('.b-header, .b-section').count()).toBeGreaterThan(0);
  });

  it('answers channel_not_found in the private channel until /invite @onsim', async () => {
    await as(PEOPLE.admin);
    await open(CHANNELS.management);
    expect(await page().locator('.notice').textContent()).toContain('/invite @onsim');
    await type('/invite @onsim');
    await page().locator('.main .message', { hasText: 'added @onsim' }).waitFor();
    expect(await page().locator('.notice').count()).toBe(0);
  });

  it('offers a CSV export as a downloadable file', async () => {
    await as(PEOPLE.operator);
    await open(CHANNELS.ops);
    await type('/onsim csv subscribers');
    // The file goes to the person's DM with the bot.
    await page().click('.nav[data-app="home"]');
    await page().click('.tab[data-app="messages"]');
    const file = page().locator('.main .file.card', { hasText: 'CSV' }).last();
    await file.waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([page().waitForEvent('download'), file.click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
  });

  it('says "outcome unknown" when ONSIM does a write but its answer is lost (sandbox panel)', async () => {
    await as(PEOPLE.operator);
    await open(CHANNELS.ops);
    await page().click('[data-panel="sandbox"]');
    await page().check('input[data-fault][value="lost"]');
    await page().locator('input[data-fault][value="lost"]:checked').waitFor();
    await type('/onsim number add 447700900555');
    const notice = page().locator('.main .message', { hasText: 'Outcome unknown' }).last();
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.textContent()).toContain('Check before retrying');
    await page().check('input[data-fault][value="none"]');
    await page().locator('input[data-fault][value="none"]:checked').waitFor();
    await page().click('[data-panel="sandbox"]');
  });

  it("shows Slack's refusal when a message breaks Block Kit limits (invalid_blocks)", async () => {
    const blocks = JSON.stringify([{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }]);
    const res = await fetch(`${playground.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer xoxb-playground',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ channel: CHANNELS.ops.id, text: 'too long', blocks }).toString(),
    });
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    const toast = page().locator('.toast', { hasText: 'invalid_blocks' });
    await toast.waitFor();
    expect(await toast.textContent()).toContain('151 chars, max 150');
    expect(await page().locator('.main .message', { hasText: 'too long' }).count()).toBe(0);
  });

  it('records every request and Web API call in the inspector, exportable as JSON', async () => {
    await page().click('[data-panel="inspector"]');
    await page().locator('.inspector .entry').first().waitFor();
    const kinds = await page().locator('.inspector .entry strong').allTextContents();
    expect(kinds).toEqual(
      expect.arrayContaining(['slash_command', 'view_submission', 'views.open', 'chat.postMessage']),
    );
    const exported = (await (await fetch(`${playground.url}/ui/transcript.json`)).json()) as {
      entries: unknown[];
    };
    expect(exported.entries.length).toBe(kinds.length);
  });
});
