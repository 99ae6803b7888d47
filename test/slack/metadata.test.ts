import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonCodec } from '../../src/slack/metadata.js';

const plain = jsonCodec(z.object({ mpn: z.string().regex(/^\d{8,15}$/), channel: z.string().nullable() }));

const mapped = jsonCodec(
  z.codec(
    z.object({ c: z.string().nullable(), f: z.enum(['a', 'b']) }),
    z.object({ channelId: z.string().nullable(), flavour: z.enum(['a', 'b']) }),
    {
      decode: (w) => ({ channelId: w.c, flavour: w.f }),
      encode: (v) => ({ c: v.channelId, f: v.flavour }),
    },
  ),
);

describe('jsonCodec', () => {
  it('round-trips a value', () => {
    const value = { mpn: '447700900123', channel: null };
    expect(plain.decode(plain.encode(value))).toEqual(value);
  });

  it('writes the wire form of a z.codec schema and reads it back', () => {
    const text = mapped.encode({ channelId: 'C0123', flavour: 'b' });
    expect(JSON.parse(text)).toEqual({ c: 'C0123', f: 'b' });
    expect(mapped.decode(text)).toEqual({ channelId: 'C0123', flavour: 'b' });
  });

  it('reads garbage as undefined', () => {
    for (const text of ['', 'not json', '{', undefined]) expect(plain.decode(text)).toBeUndefined();
  });

  it('reads JSON of the wrong shape as undefined', () => {
    for (const text of ['null', '42', '[]', '{"mpn":"12","channel":null}', '{"mpn":"447700900123"}'])
      expect(plain.decode(text)).toBeUndefined();
    expect(mapped.decode('{"c":null,"f":"z"}')).toBeUndefined();
  });

  it('refuses to write a value that does not fit', () => {
    expect(() => plain.encode({ mpn: 'x', channel: null })).toThrow();
  });
});
