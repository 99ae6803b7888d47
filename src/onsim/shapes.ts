import { z } from 'zod';
import { OnsimInputError } from './errors.js';

/** "first_name" → "first name", for messages. */
const fieldWords = (path: readonly PropertyKey[]): string =>
  path.length > 0 ? path.map(String).join(' ').replace(/_/g, ' ') : 'value';

/**
 * zod's own words for what a schema gives no message of its own ("Invalid input: expected string,
 * received undefined") said for people: a missing field is named; a wrong kind of value says what
 * was expected.
 */
const inWords: z.core.$ZodErrorMap = (issue) => {
  const field = fieldWords(issue.path ?? []);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return `The ${field} is required.`;
      return `The ${field} must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}.`;
    case 'invalid_value':
      return `The ${field} is ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map(String).join(', ')}.`;
    case 'too_small':
      return issue.origin === 'string'
        ? `The ${field} is at least ${issue.minimum} character${Number(issue.minimum) === 1 ? '' : 's'}.`
        : `The ${field} is at least ${issue.minimum}.`;
    case 'too_big':
      return issue.origin === 'string'
        ? `The ${field} is at most ${issue.maximum} characters.`
        : `The ${field} is at most ${issue.maximum}.`;
    default:
      return undefined;
  }
};

/** Validates input before any request; the issues name the ONSIM field (= modal block_id). */
export function validateInput<S extends z.ZodType>(
  operation: string,
  schema: S,
  input: unknown,
): z.output<S> {
  const parsed = schema.safeParse(input, { error: inWords });
  if (parsed.success) return parsed.data;
  throw new OnsimInputError(
    operation,
    parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'input', message: i.message })),
  );
}

export const OnOff = z.enum(['ON', 'OFF']);
export type OnOff = z.infer<typeof OnOff>;

/** ONSIM's on/off flags come as ON/OFF, Y/N, true/false or 1/0 depending on the endpoint. */
export const LooseOnOff = z.preprocess((v) => {
  if (typeof v === 'boolean') return v ? 'ON' : 'OFF';
  if (typeof v === 'number') return v ? 'ON' : 'OFF';
  if (typeof v === 'string') {
    const s = v.trim().toUpperCase();
    if (['ON', 'Y', 'YES', 'TRUE', '1', 'ENABLED'].includes(s)) return 'ON';
    if (['OFF', 'N', 'NO', 'FALSE', '0', 'DISABLED'].includes(s)) return 'OFF';
  }
  return v;
}, OnOff);

/** Identifiers arrive as strings or numbers. */
export const IdString = z.union([z.string(), z.number()]).transform(String);

/** Numbers arrive as numbers or numeric strings. */
export const LooseNumber = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

/**
 * The list a loosely documented answer holds: the answer itself when it is an array, else the
 * array under the first of `keys` that has one, else the one array the object holds, whatever
 * its key. Undefined when there is no such list.
 */
export function listIn(body: unknown, keys: readonly string[]): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (!body || typeof body !== 'object') return undefined;
  const o = body as Record<string, unknown>;
  for (const k of keys) {
    const list = o[k];
    if (Array.isArray(list)) return list;
  }
  const arrays = Object.values(o).filter(Array.isArray);
  return arrays.length === 1 ? arrays[0] : undefined;
}

/**
 * ONSIM documents list answers loosely: a bare array, or an object holding the array under
 * one of several keys. Accept each reading.
 */
export function listOf<T extends z.ZodType>(item: T, keys: readonly string[]) {
  return z.preprocess((body) => {
    const list = listIn(body, keys);
    if (list) return list;
    if (body === undefined || body === null || body === '') return [];
    return body;
  }, z.array(item));
}

/** Answers documented as "no body" or a sentence: keep the text, if any, for the record. */
export const Acknowledgement = z.unknown().transform((body) => {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string')
    return body.message;
  return '';
});
