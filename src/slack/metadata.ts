// The one way values travel through Slack and come back: a view's private_metadata, a button's
// value. Slack hands back whatever it was given, but the text may be from an older release or
// forged, so reading it always validates against the same schema that wrote it.
import { z } from 'zod';

export interface JsonCodec<T> {
  /** The JSON text for Slack; throws when the value does not fit the schema (a bug of ours). */
  encode(value: T): string;
  /** The value, or undefined when the text is not JSON of this shape (outdated, foreign, forged). */
  decode(text: string | undefined): T | undefined;
}

/** A codec for `schema`; a `z.codec` schema also maps between the wire form and the value. */
export function jsonCodec<S extends z.ZodType>(schema: S): JsonCodec<z.output<S>> {
  return {
    encode: (value) => JSON.stringify(z.encode(schema, value)),
    decode: (text) => {
      let json: unknown;
      try {
        json = JSON.parse(text ?? '');
      } catch {
        return undefined;
      }
      const parsed = schema.safeParse(json);
      return parsed.success ? parsed.data : undefined;
    },
  };
}
