import { describe, expect, it } from 'vitest';
import { slackEmoji } from '../../src/playground/assets.js';
import { mrkdwnToHtml, plainToHtml, textToHtml } from '../../src/playground/ui/mrkdwn.js';

const ctx = {
  emoji: { white_check_mark: '✅', rotating_light: '🚨', tada: '🎉' },
  people: { U0ADMIN01: 'ada' },
  channels: { C0OPS0001: 'ops' },
};

describe('mrkdwn to HTML', () => {
  it('draws bold, italic, strike, inline code and code blocks', () => {
    expect(mrkdwnToHtml('*bold* _it_ ~gone~ `x=1`', ctx)).toBe(
      '<strong>bold</strong> <em>it</em> <del>gone</del> <code>x=1</code>',
    );
    expect(mrkdwnToHtml('```a\n<b>```', ctx)).toBe('<pre>a\n&lt;b&gt;</pre>');
  });

  it('draws quotes and line breaks', () => {
    expect(mrkdwnToHtml('&gt; quoted\nnext', ctx)).toContain('<blockquote>');
    expect(mrkdwnToHtml('one\ntwo', ctx)).toBe('one<br>two');
  });

  it('names users and channels, and shows @here', () => {
    expect(mrkdwnToHtml('<@U0ADMIN01> in <#C0OPS0001> <!here>', ctx)).toBe(
      '<span class="mention" data-user="U0ADMIN01">@ada</span> in <span class="mention channel">#ops</span> <span class="mention">@here</span>',
    );
  });

  it('links only http(s) and mailto URLs, and escapes their labels', () => {
    expect(mrkdwnToHtml('<https://example.com/a?b=1&amp;c=2|the &lt;site&gt;>', ctx)).toContain(
      'href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the &lt;site&gt;</a>',
    );
    const hostile = mrkdwnToHtml('<javascript:alert(1)|click me>', ctx);
    expect(hostile).not.toContain('href');
    expect(hostile).toContain('click me');
  });

  it('escapes HTML in text, so a message cannot inject markup', () => {
    expect(mrkdwnToHtml('&lt;img src=x onerror=alert(1)&gt;', ctx)).toBe(
      '&lt;img src=x onerror=alert(1)&gt;',
    );
    expect(plainToHtml('<script>', ctx)).toBe('&lt;script&gt;');
  });

  it("turns Slack's emoji shortcodes into emoji and leaves unknown ones as typed", () => {
    expect(mrkdwnToHtml(':white_check_mark: done :no_such_emoji:', ctx)).toBe(
      '<span class="emoji" title=":white_check_mark:">✅</span> done :no_such_emoji:',
    );
    expect(textToHtml({ type: 'plain_text', text: ':tada: hi', emoji: true }, ctx)).toContain('🎉');
    expect(textToHtml({ type: 'plain_text', text: ':tada:', emoji: false }, ctx)).toBe(':tada:');
  });

  it("knows Slack's own names for common emoji (emojibase-data's iamcal set)", () => {
    const emoji = slackEmoji();
    for (const name of [
      'white_check_mark',
      'rotating_light',
      'warning',
      'hourglass_flowing_sand',
      'no_entry',
      'tada',
    ]) {
      expect(emoji[name], name).toBeTruthy();
    }
  });
});
