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

  it('keeps only a short prefix of eSIM codes, in fields, messages and errors', () => {
    const { logger, lines } = capture();
    const code = 'LPA:1$smdp.example.com$ABCDEF1234567890';
    logger.info({ esim_code: code }, `code is ${code}`);
    logger.error({ err: new Error(`failed for ${code}`) }, 'failed');
    const out = lines.join('\n');
    expect(out).not.toContain('ABCDEF1234567890');
    expect(out).toContain('LPA:1$smdp');
  });

  it('masks Slack tokens and bearer keys inside free text', () => {
    expect(maskSecrets('token xoxb-123-456-abcdef used')).not.toContain('abcdef');
    expect(maskSecrets('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [redacted]');
  });
});
