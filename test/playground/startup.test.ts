import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/onsim/sandbox/server.js';
import { signRequest } from '../../src/slack-emulator/signed-requests.js';
import { type RunningPlayground, startPlaygroundProcess } from '../support/playground.js';

let running: RunningPlayground | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const otherAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('npm start without Slack credentials (the playground)', () => {
  it('prints one line with the address, on 127.0.0.1, and serves the UI, /healthz and a signed /slack/events', async () => {
    running = await startPlaygroundProcess();
    const { url } = running;
    expect(running.output()).toBe(`Playground: open ${url} (ONSIM sandbox, no Slack needed)\n`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect((await fetch(url)).headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const state = (await (await fetch(`${url}/ui/state?user=U0ADMIN01`)).json()) as { live: boolean };
    expect(state.live).toBe(false);

    // The bot's receiver behind it verifies signatures: a request signed with another secret is refused.
    const body = 'command=%2Fonsim&text=help&user_id=U0ADMIN01&channel_id=C0OPS0001';
    const forged = await fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...signRequest('not-the-secret', body),
      },
      body,
    });
    expect(forged.status).toBe(401);

    const port = new URL(url).port;
    const lan = otherAddress();
    if (lan) await expect(fetch(`http://${lan}:${port}/healthz`)).rejects.toThrow();
  });

  it('shows LIVE ONSIM in its line and its state when ONSIM_API_KEY is set', async () => {
    const onsim = await startSandbox({ port: 0, apiKey: 'live-key' });
    try {
      running = await startPlaygroundProcess({ ONSIM_API_KEY: 'live-key', ONSIM_BASE_URL: onsim.url });
      expect(running.output()).toContain('(LIVE ONSIM — real lines, no Slack needed)');
      const state = (await (await fetch(`${running.url}/ui/state?user=U0ADMIN01`)).json()) as {
        live: boolean;
      };
      expect(state.live).toBe(true);
      const panel = (await (await fetch(`${running.url}/ui/sandbox`)).json()) as { sandbox: unknown };
      expect(panel.sandbox).toBeNull();
    } finally {
      await running?.stop();
      running = undefined;
      await onsim.close();
    }
  });

  it('binds where PLAYGROUND_HOST says', async () => {
    running = await startPlaygroundProcess({ PLAYGROUND_HOST: '0.0.0.0' });
    const lan = otherAddress();
    if (!lan) return;
    expect((await fetch(`http://${lan}:${new URL(running.url).port}/healthz`)).status).toBe(200);
  });
});
