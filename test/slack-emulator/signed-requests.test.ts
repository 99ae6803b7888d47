import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signRequest, slashCommandBody } from '../../src/slack-emulator/signed-requests.js';

describe('signRequest', () => {
  it("reproduces the signature of Slack's documented example request", () => {
    // From Slack's "Verifying requests from Slack" guide: secret, timestamp, body and expected signature.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
      '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
      '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

    expect(signRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'X-Slack-Request-Timestamp': '1531420618',
      'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    });
  });

  it('signs with the current time by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const headers = signRequest('s3cret', 'a=1');
    const ts = Number(headers['X-Slack-Request-Timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const expected = createHmac('sha256', 's3cret').update(`v0:${ts}:a=1`).digest('hex');
    expect(headers['X-Slack-Signature']).toBe(`v0=${expected}`);
  });
});

describe('slashCommandBody', () => {
  it("lists a slash command's fields in the order Slack sends them", () => {
    const body = slashCommandBody({
      token: 't',
      teamId: 'T1',
      teamDomain: 'test',
      channelId: 'C1',
      channelName: 'general',
      userId: 'U1',
      userName: 'u1',
      command: '/onsim',
      text: 'account 07700 900123',
      appId: 'A1',
      responseUrl: 'https://hooks.example/1',
      triggerId: '1.2.3',
    });
    expect([...new URLSearchParams(body)]).toEqual([
      ['token', 't'],
      ['team_id', 'T1'],
      ['team_domain', 'test'],
      ['channel_id', 'C1'],
      ['channel_name', 'general'],
      ['user_id', 'U1'],
      ['user_name', 'u1'],
      ['command', '/onsim'],
      ['text', 'account 07700 900123'],
      ['api_app_id', 'A1'],
      ['is_enterprise_install', 'false'],
      ['response_url', 'https://hooks.example/1'],
      ['trigger_id', '1.2.3'],
    ]);
  });
});
