// Reads a large JSON list answer as it arrives, without ever holding its text: the bytes are
// scanned for the boundaries of the list's objects (strings, escapes and nesting are tracked,
// nothing else), and each chunk's complete objects go through the engine's own JSON.parse
// together, so the grammar is checked by JSON.parse and the cost stays close to it. The list is
// the answer itself (`[…]`) or the first array member of the answer's object (`{"port": […]}`);
// everything around it is kept and parsed at the end, with the list replaced by a marker, so the
// caller can tell whether that list is the one it wanted. Used for ONSIM's port list (100,000
// ports, 25 MiB), whose text, buffers and parsed objects together set the poller's peak memory.

/** The answer is not JSON (cut off, or garbled): the caller says so as it would for any text. */
export class NotJsonError extends Error {
  constructor() {
    super('not JSON');
  }
}

/** The list holds something other than objects: the caller reads such an answer whole instead. */
export class OddListError extends Error {
  constructor() {
    super('a list of something other than objects');
  }
}

export type JsonListOutcome =
  /** The list's objects were handed over; `outer` is the answer with the list as `[LIST_MARK]`. */
  | { streamed: true; outer: unknown }
  /** No list to stream (not an array or an object holding one): the answer's whole text. */
  | { streamed: false; text: string };

/** The one element of the array that stands for the streamed list in `outer`. */
export const LIST_MARK = '\u0000onsim-bot: the list read as it arrived\u0000';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Between two objects of a compact list. */
const BOUNDARY = Buffer.from('},{');
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Hands the list's objects to `onObjects`, a chunk's worth at a time, in order. Throws
 * NotJsonError when the answer is not JSON and OddListError when its list holds anything but
 * objects (an object `onObjects` refuses is its own error to throw).
 */
export async function readJsonList(
  body: AsyncIterable<Uint8Array>,
  onObjects: (objects: unknown[]) => void,
): Promise<JsonListOutcome> {
  const scanner = new ListScanner(onObjects);
  for await (const chunk of body) {
    if (scanner.feed(chunk)) continue;
    // Not a list answer: read the rest, whole, as any answer is read.
    for await (const rest of body) scanner.before.push(rest);
    break;
  }
  return scanner.finish();
}

/**
 * The scan itself, synchronous so that its state lives in registers while a chunk is scanned
 * (in the async reader above, every variable kept across an await would live on the heap).
 */
class ListScanner {
  /** 0: before the list; 1: in it; 2: after it; 3: no list to stream. */
  private phase = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Whether the answer is an object (its first array member is the list), once seen. */
  private topIsObject = false;
  /** The depth of the list's objects: 1 for a bare array, 2 for an object's member. */
  private itemDepth = 0;
  /** Between two of the list's objects: a comma is due (true) or was just seen (false). */
  private afterItem = false;
  private items = 0;
  /** Bytes before and after the list, and the start of an object begun in an earlier chunk. */
  readonly before: Uint8Array[] = [];
  private readonly after: Uint8Array[] = [];
  /** The bytes, chunk by chunk, of an object begun in an earlier chunk and still open. */
  private carried: Buffer[] = [];
  /** Whether to try skipping ahead (see skipAhead); off for good once a try fails. */
  private fast = true;

  constructor(private readonly onObjects: (objects: unknown[]) => void) {}

  /** Scans one chunk; false once the answer turns out to hold no list to stream. */
  feed(chunk: Uint8Array): boolean {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    if (this.phase === 0) i = this.findList(buf, i);
    const phase = this.phase as number;
    if (phase === 3) return false;
    if (phase === 1) i = this.readItems(buf, i);
    if ((this.phase as number) === 2 && i < buf.length) this.after.push(buf.subarray(i));
    return true;
  }

  /** Up to the list's opening bracket: where the list's content begins (or the chunk ends). */
  private findList(buf: Buffer, from: number): number {
    let { depth, inString, escaped, topIsObject } = this;
    const n = buf.length;
    let i = from;
    let found = false;
    for (; i < n; i++) {
      const b = buf[i] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (depth === 0 && !topIsObject) {
        if (isSpace(b)) continue;
        if (b === OPEN_BRACE) topIsObject = true;
        else if (b !== OPEN_BRACKET) {
          this.phase = 3; // neither an array nor an object: read it whole
          break;
        }
      }
      if (b === QUOTE) inString = true;
      else if (b === OPEN_BRACKET && depth === (topIsObject ? 1 : 0)) {
        found = true;
        break;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
    }
    this.inString = inString;
    this.escaped = escaped;
    this.topIsObject = topIsObject;
    if (!found) {
      this.depth = depth;
      this.before.push(buf);
      return n;
    }
    this.before.push(buf.subarray(0, i));
    this.depth = depth + 1;
    this.itemDepth = depth + 1;
    this.phase = 1;
    return i + 1;
  }

  /** The list's objects, parsed together; returns where the list ended (or the chunk's end). */
  private readItems(buf: Buffer, from: number): number {
    let { depth, inString, escaped, afterItem, items } = this;
    const itemDepth = this.itemDepth;
    const n = buf.length;
    /** An object begun earlier: its bytes open the batch, until handed over. */
    let carried = this.carried.length > 0 ? this.carried : null;
    /** Whether that object is still open at the end of this chunk. */
    let carriedOpen = carried !== null;
    /** Start of the chunk's first object, end of its last complete one, start of the open one. */
    let first = carried ? 0 : -1;
    let last = -1;
    let open = first;
    let ended = false;
    let i = from;
    for (; i < n; i++) {
      const b = buf[i] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (depth > itemDepth) {
        if (b === QUOTE) inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
        else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          depth--;
          if (depth === itemDepth) {
            last = i + 1;
            afterItem = true;
            items++;
            carriedOpen = false;
            const end = this.fast && first >= 0 ? this.skipAhead(carried, buf, first, last) : 0;
            if (end > 0) {
              // Handed over up to `end`, the comma after the last object taken.
              carried = null;
              first = -1;
              last = -1;
              i = end - 1;
            }
          }
        }
        continue;
      }
      // Between the list's objects: spaces, one comma between two, or the list's end.
      if (isSpace(b)) continue;
      if (b === COMMA && afterItem) afterItem = false;
      else if (b === OPEN_BRACE && !afterItem) {
        if (first < 0) first = i;
        open = i;
        depth++;
      } else if (b === CLOSE_BRACKET && (afterItem || items === 0)) {
        depth--;
        ended = true;
        break;
      } else if (b === COMMA || b === OPEN_BRACE || b === CLOSE_BRACKET) throw new NotJsonError();
      else throw new OddListError();
    }
    Object.assign(this, { depth, inString, escaped, afterItem, items });
    if (first >= 0 && last > first) this.onObjects(parseObjects(textOf(carried, buf, first, last)));
    // An object goes on in the next chunk: keep it from its start (a long one, chunk by chunk).
    if (carriedOpen) this.carried.push(buf);
    else this.carried = depth > itemDepth && !ended ? [Buffer.from(buf.subarray(open))] : [];
    if (ended) {
      this.phase = 2;
      return i + 1;
    }
    return n;
  }

  /**
   * After the object ending at `end`, most of a chunk is whole objects: rather than scanning them
   * byte by byte, guess that the chunk's last `},{` is a boundary between two of them and let
   * JSON.parse check the guess. A wrong guess (inside a string, or between the objects of an
   * array inside a port) cannot parse: the text would end inside that string or that port. Hands
   * over the objects from `first` to the guess and returns where they end, or 0.
   */
  private skipAhead(carried: Buffer[] | null, buf: Buffer, first: number, end: number): number {
    if (buf[end] !== COMMA || buf[end + 1] !== OPEN_BRACE) return 0;
    const guess = buf.lastIndexOf(BOUNDARY, buf.length - BOUNDARY.length);
    if (guess <= end) return 0;
    let objects: unknown[];
    try {
      objects = JSON.parse(`[${textOf(carried, buf, first, guess + 1)}]`) as unknown[];
    } catch {
      this.fast = false;
      return 0;
    }
    this.onObjects(objects);
    return guess + 1;
  }

  finish(): JsonListOutcome {
    if (this.phase === 0 || this.phase === 3) {
      return { streamed: false, text: Buffer.concat(this.before).toString('utf8') };
    }
    if (this.phase === 1 || this.inString) throw new NotJsonError();
    const text = `${Buffer.concat(this.before).toString('utf8')}[${JSON.stringify(LIST_MARK)}]${Buffer.concat(this.after).toString('utf8')}`;
    try {
      // trim() as for any answer: it also takes off a byte order mark and Unicode spaces.
      return { streamed: true, outer: JSON.parse(text.trim()) };
    } catch {
      throw new NotJsonError();
    }
  }
}

/** The text of a batch: from `first` in `buf`, or from the start of `carried` when it opens the batch. */
function textOf(carried: Buffer[] | null, buf: Buffer, first: number, end: number): string {
  if (!carried) return buf.toString('utf8', first, end);
  return Buffer.concat([...carried, buf.subarray(0, end)]).toString('utf8');
}

function parseObjects(text: string): unknown[] {
  try {
    return JSON.parse(`[${text}]`) as unknown[];
  } catch {
    throw new NotJsonError();
  }
}
