/**
 * "Did you mean ...?" for unknown symbolic constants in scripts.
 *
 * Distance is the optimal-string-alignment form of Damerau-Levenshtein
 * (insertions, deletions, substitutions and transpositions of adjacent
 * characters, each costing 1), compared case-insensitively. A candidate is
 * accepted when its distance is at most max(1, floor(len / 4)), len being the
 * length of the misspelt name. Among accepted candidates the smallest distance
 * wins; on a tie, one of the same prefix family (the text up to the first
 * `_`, such as `SO_` or `TCP_`) is preferred, then the nearest in length, then
 * the alphabetically first, so the answer is deterministic.
 */

/** Largest distance accepted for a name of this length. */
export function maxSuggestionDistance(name: string): number {
  return Math.max(1, Math.floor(name.length / 4));
}

/** Prefix family of a constant name: `SO_` for SO_REUSEADDR, '' for EAGAIN. */
export function prefixFamily(name: string): string {
  const i = name.indexOf('_');
  return i > 0 ? name.slice(0, i + 1).toUpperCase() : '';
}

// Three reusable DP rows (prev-prev, prev, current); grown on demand.
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);
let rowC = new Int32Array(64);

/**
 * Optimal-string-alignment distance between a and b, or `limit + 1` as soon
 * as it is known to exceed `limit`.
 */
export function boundedDamerauLevenshtein(a: string, b: string, limit: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > limit) return limit + 1;
  if (n === 0) return m;
  if (m === 0) return n;
  if (rowA.length <= m) {
    rowA = new Int32Array(m + 1);
    rowB = new Int32Array(m + 1);
    rowC = new Int32Array(m + 1);
  }
  let prev2 = rowA; // row i-2
  let prev = rowB; // row i-1
  let cur = rowC; // row i
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let d = prev[j - 1]! + cost;
      const del = prev[j]! + 1;
      if (del < d) d = del;
      const ins = cur[j - 1]! + 1;
      if (ins < d) d = ins;
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        const tr = prev2[j - 2]! + 1;
        if (tr < d) d = tr;
      }
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  const result = prev[m]!;
  return result > limit ? limit + 1 : result;
}

/**
 * Closest known name to a misspelt one, or undefined when nothing is close
 * enough. A candidate identical to `name` is skipped (it is not a misspelling).
 */
export function suggestSymbol(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length === 0) return undefined;
  const limit = maxSuggestionDistance(name);
  const upper = name.toUpperCase();
  const family = prefixFamily(name);
  let best: string | undefined;
  let bestDist = limit + 1;
  let bestOtherFamily = 1;
  let bestLenDiff = Number.MAX_SAFE_INTEGER;
  for (const cand of candidates) {
    if (cand === name) continue;
    const lenDiff = Math.abs(cand.length - name.length);
    if (lenDiff > limit) continue;
    // Can this candidate beat the current best at all?
    if (lenDiff > bestDist) continue;
    const d = boundedDamerauLevenshtein(upper, cand.toUpperCase(), Math.min(limit, bestDist));
    if (d > limit) continue;
    const otherFamily = prefixFamily(cand) === family ? 0 : 1;
    const better =
      best === undefined ||
      d < bestDist ||
      (d === bestDist &&
        (otherFamily < bestOtherFamily ||
          (otherFamily === bestOtherFamily &&
            (lenDiff < bestLenDiff || (lenDiff === bestLenDiff && cand < best)))));
    if (better) {
      best = cand;
      bestDist = d;
      bestOtherFamily = otherFamily;
      bestLenDiff = lenDiff;
    }
  }
  return best;
}
