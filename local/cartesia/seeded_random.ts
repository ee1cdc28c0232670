// Seeded draws for the stand-in's faults and latency, so a test that injects faults gets the same
// faults on every run (Math.random would leave some runs with none to check). With a seed, the
// n-th request for a given voice and transcript always draws the same numbers, however requests
// from concurrent workers interleave: which segments fail depends on the seed alone.

/** The golden-ratio increment: consecutive states share no low-bit pattern. */
const WEYL_STEP = 0x9e3779b9;

/** Numbers in [0, 1) from a 32-bit state advanced by a Weyl step and scrambled by two
 * multiply-xorshift rounds: plenty for drawing faults, not for anything secret. */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed)) {
    throw new Error(`seededRandom: seed must be an integer, got ${seed}`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + WEYL_STEP) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a of a string's UTF-16 code units: a stable number per transcript. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Per-request draws: `next(key)` gives the draws of the next request for `key` (e.g. voice and
 * transcript), the same for the same seed, key and count on every run. */
export function seededDraws(seed: number): { next(key: string): () => number } {
  seededRandom(seed); // validates the seed
  const seen = new Map<string, number>();
  return {
    next(key) {
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const mixed = seededRandom(seed ^ fnv1a(key))();
      return seededRandom((Math.floor(mixed * 4294967296) + Math.imul(n, WEYL_STEP)) >>> 0);
    },
  };
}
