import { describe, expect, it } from 'vitest';
import { LIST_MARK, NotJsonError, OddListError, readJsonList } from '../../src/onsim/json-list.js';

/** `text` as the bytes of an answer, cut every `size` bytes (multi-byte characters cut too). */
async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield new Uint8Array(bytes.subarray(i, i + size));
}

async function read(text: string, size: number) {
  const objects: unknown[] = [];
  const outcome = await readJsonList(chunked(text, size), (batch) => objects.push(...batch));
  return { objects, outcome };
}

const SIZES = [1, 2, 3, 5, 7, 16, 64, 1_000_000];

/** A compact JSON answer whose objects hold every kind of awkward text. */
const ports = [
  { trID: '1', status: 'INITIAL', note: 'looks like a boundary: },{ and ]} and [{' },
  {
    trID: '2',
    status: 'FAILED',
    note: 'escaped \\ and " and \\"},{\\"',
    history: [{ a: 1 }, { b: [2, { c: 3 }] }],
  },
  { trID: '3', status: 'COMPLETE', carrier: { name: 'Zoë ☎ 𝄞', codes: [] }, empty: {} },
  ...Array.from({ length: 40 }, (_, i) => ({ trID: String(100 + i), status: 'IN PROGRESS', n: i })),
];

describe('readJsonList', () => {
  it.each([
    ['under a key', JSON.stringify({ port: ports })],
    ['bare', JSON.stringify(ports)],
    ['pretty-printed', JSON.stringify({ total: ports.length, port: ports, more: { x: [1] } }, null, 2)],
    ['after other members', JSON.stringify({ meta: { pages: [{ n: 1 }] }, total: 3, port: ports })],
    // The last `},{` of a chunk is taken for a boundary between two objects, and checked: here it is not.
    ['whose last object holds a boundary-like text', '[{"a":1},{"b":"},{"}]'],
    ['whose last object holds a list of objects', '{"port":[{"a":1},{"h":[{"x":1},{"y":"}"}]}]}'],
    ['with spaces everywhere', ` \n{ "port" : [ ${ports.map((p) => JSON.stringify(p)).join(' ,\n ')} ] } \n`],
  ])(
    'hands over the objects of a list %s exactly as JSON.parse reads them, however the bytes are cut',
    async (_name, text) => {
      const whole: unknown = JSON.parse(text);
      const list = Array.isArray(whole) ? whole : (whole as { port: unknown[] }).port;
      const outer = Array.isArray(whole) ? [LIST_MARK] : { ...(whole as object), port: [LIST_MARK] };
      for (const size of SIZES) {
        const { objects, outcome } = await read(text, size);
        expect(objects).toEqual(list);
        expect(outcome).toEqual({ streamed: true, outer });
      }
    },
  );

  it('reads empty lists', async () => {
    for (const text of ['[]', '{"port":[]}', ' [ ] ', '{ "port" : [\n] }']) {
      expect(await read(text, 1)).toEqual({
        objects: [],
        outcome: { streamed: true, outer: text.includes('port') ? { port: [LIST_MARK] } : [LIST_MARK] },
      });
    }
  });

  it.each([
    ['a comma after the last object', '{"port":[{"a":1},]}'],
    ['a comma before the first', '{"port":[,{"a":1}]}'],
    ['no comma between two', '{"port":[{"a":1}{"b":2}]}'],
    ['two commas', '[{"a":1},,{"b":2}]'],
    ['a cut-off object', '{"port":[{"a":1},{"b":'],
    ['a cut-off list', '{"port":[{"a":1}'],
    ['a cut-off string', '{"port":[{"a":"},{'],
    ['a bad value inside an object', '{"port":[{"a":tru}]}'],
    ['words after the answer', '[{"a":1}] and more'],
    ['a bad member after the list', '{"port":[{"a":1}],}'],
  ])('refuses an answer with %s as not JSON', async (_name, text) => {
    expect(() => JSON.parse(text)).toThrow(); // the case is not JSON indeed
    for (const size of SIZES) await expect(read(text, size)).rejects.toBeInstanceOf(NotJsonError);
  });

  it.each([
    ['numbers', '[1,2]'],
    ['strings', '{"port":["x"]}'],
    ['lists', '[[{}]]'],
    ['null', '[{"a":1},null]'],
  ])('refuses a list of %s, for the caller to read whole', async (_name, text) => {
    for (const size of SIZES) await expect(read(text, size)).rejects.toBeInstanceOf(OddListError);
  });

  it('refuses mismatched brackets, as not JSON or as a list for the caller to read whole', async () => {
    const text = '{"port":[{"a":[1}]}';
    for (const size of SIZES) {
      const refused = await read(text, size).catch((err: unknown) => err);
      expect(refused instanceof NotJsonError || refused instanceof OddListError).toBe(true);
    }
  });

  it.each([
    ['an empty answer', ''],
    ['spaces', ' \n '],
    ['null', 'null'],
    ['a string', '"port list"'],
    ['an object without a list', '{"port":{"trID":"1"},"n":[]}'.replace(',"n":[]', '')],
    ['a byte order mark', '\uFEFF[{"a":1}]'],
    ['plain text', 'Service temporarily unavailable'],
  ])('gives %s back whole, as text', async (_name, text) => {
    for (const size of SIZES) {
      expect(await read(text, size)).toEqual({ objects: [], outcome: { streamed: false, text } });
    }
  });
});
