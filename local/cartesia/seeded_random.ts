// A seeded source of numbers in [0, 1) for the stand-in's fault and latency draws, so a test that
// injects faults gets the same faults on every run (Math.random would leave some runs with none).
// A 32-bit state advanced by a Weyl step and scrambled by two multiply-xorshift rounds: plenty for
// drawing faults, not for anything secret.

/** The golden-ratio increment: consecutive states share no low-bit pattern. */
const WEYL_STEP = 0x9e3779b9;

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
