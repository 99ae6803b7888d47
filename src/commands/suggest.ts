/** Levenshtein distance, small inputs only (subcommand names). */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * The name that was probably meant, if one is clearly closest: the only name the word begins
 * (`sub` → `subscribers`), else the nearest by edit distance when the typo is small next to the word.
 * A word of one or two letters is too short to guess a typo from (`p` is not `qr`).
 */
export function closest(word: string, names: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  if (w === '') return undefined;
  const begun = names.filter((n) => n.startsWith(w));
  if (begun.length === 1) return begun[0];
  // Up to 2 edits (a swapped pair of letters is 2), a third of the word for long words, and always
  // fewer edits than letters, or every short word would "mean" every short name.
  const allowed = Math.min(Math.max(2, Math.floor(w.length / 3)), w.length - 1);
  const ranked = names
    .map((name) => ({ name, d: distance(w, name) }))
    .filter(({ d }) => d <= allowed)
    .sort((a, b) => a.d - b.d);
  const best = ranked[0];
  if (!best) return undefined;
  // Of equally near names, one the word begins wins (`por` → `port`, not `qr`).
  const tied = ranked.filter(({ d }) => d === best.d).map(({ name }) => name);
  return tied.find((name) => begun.includes(name)) ?? best.name;
}
