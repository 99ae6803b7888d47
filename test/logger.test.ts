import { describe, expect, it } from 'vitest';
import { createLogger, maskSecrets } from '../src/logger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  return { logger, lines };
}

describe('logger redaction', () => {
  it('blanks passwords, keys and authorization headers in logged objects', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        body: { mpn: '447700900123', pbx_password: 'Sup3rSecret!' },
        headers: { authorization: 'Bearer live-key-123' },
        apiKey: 'live-key-123',
      },
      'provision',
    );
    const out = lines.join('\n');
    expect(out).not.toContain('Sup3rSecret!');
    expect(out).not.toContain('live-key-123');
    expect(out).toContain('447700900123');
  });

  it('blanks secret keys however deep they sit, including in logged errors', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('provision failed'), {
      request: {
        options: { headers: { Authorization: 'Bearer k3y-deep' }, body: { pbx_password: 'DeepPass!1' } },
      },
    });
    logger.warn(
      { err, a: { b: { c: { d: { apiKey: 'k3y-deep', signingSecret: 'sh-deep', password: 'pw-deep' } } } } },
      'deep',
    );
    const out = lines.join('\n');
    for (const secret of ['k3y-deep', 'DeepPass!1', 'sh-deep', 'pw-deep']) expect(out).not.toContain(secret);
    expect(out).toContain('provision failed');
  });

  it('logs an error with its type, message and stack, wherever it sits in the object', () => {
    const { logger, lines } = capture();
    logger.error({ err: new TypeError('the first problem') }, 'failed');
    logger.warn({ context: { cause: new RangeError('the second problem') } }, 'failed too');
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first.err).toMatchObject({ type: 'TypeError', message: 'the first problem' });
    expect(first.err.stack).toContain('TypeError: the first problem');
    expect(second.context.cause).toMatchObject({ type: 'RangeError', message: 'the second problem' });
  });

  it('keeps only a short prefix of eSIM codes, in fields, messages and errors', () => {
    const { logger, lines } = capture();
    const code = 'LPA:1$smdp.example.com$ABCDEF1234567890';
    logger.info({ esim_code: code }, `code is ${code}`);
    logger.error({ err: new Error(`failed for ${code}`) }, 'failed');
    const out = lines.join('\n');
    expect(out).not.toContain('ABCDEF1234567890');
    expect(out).toContain('LPA:1$smdp');
    expect(JSON.parse(lines[1] ?? '{}').err.message).toBe('failed for LPA:1$smdp…');
  });

  it('masks activation codes whatever their case, and SIP passwords inside free text', () => {
    expect(maskSecrets('typed lpa:1$smdp.example.com$abcdef1234567890 here')).toBe('typed lpa:1$smdp… here');
    expect(maskSecrets('Lpa:1$SMDP.EXAMPLE.COM$ABCDEF1234567890')).not.toContain('ABCDEF1234567890');
    for (const text of [
      'pbx_password=hunter2-x&next=1',
      '{"pbx_password":"hunter2-x"}',
      "pbx_password: 'hunter2-x'",
      '"PBX_PASSWORD": "hunter2-x"',
      '{"pbx_password":{"pbx_password":{"type":"plain_text_input","value":"hunter2-x"}}}',
    ]) {
      expect(maskSecrets(text), text).not.toContain('hunter2-x');
    }
    expect(maskSecrets('pbx_password is required')).toBe('pbx_password is required');
  });

  it("masks secrets in a child logger's bindings, however many children deep", () => {
    const { logger, lines } = capture();
    const typed = 'xoxb-1234-5678-abcdefsecret';
    logger.child({ name: 'command', sub: typed }).info('routing');
    logger
      .child({ name: 'a' })
      .child({ token: 'plain-secret-value', code: 'LPA:1$smdp.example$ABCDEFSECRET' })
      .warn('deep');
    const out = lines.join('\n');
    expect(out).toContain('routing');
    expect(out).toContain('"name":"command"');
    expect(out).not.toContain('abcdefsecret');
    expect(out).not.toContain('plain-secret-value');
    expect(out).not.toContain('ABCDEFSECRET');
    expect(lines).toHaveLength(2);
  });

  it('masks Slack tokens and bearer keys inside free text', () => {
    expect(maskSecrets('token xoxb-123-456-abcdef used')).not.toContain('abcdef');
    expect(maskSecrets('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [redacted]');
  });
});
