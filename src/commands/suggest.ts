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

/** The closest name, if it is close enough to be what was meant. */
export function closest(word: string, names: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const prefixed = names.filter((n) => n.startsWith(w) || w.startsWith(n));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const n of names) {
    const d = distance(w, n);
    if (d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(w.length / 3)) ? best : undefined;
}
