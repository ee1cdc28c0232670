// G.711 companding (ITU-T G.711) for the pcm_mulaw and pcm_alaw encodings: one 16-bit linear
// sample in, one 8-bit code out. Written from the standard's segment tables.

/** μ-law bias added before finding the segment, and the largest magnitude that still fits. */
const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

export function linearToMulaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > MULAW_CLIP) s = MULAW_CLIP;
  s += MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function linearToAlaw(sample: number): number {
  const s = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3; // 13-bit
  const sign = s >= 0 ? 0x80 : 0;
  const magnitude = s >= 0 ? s : -s - 1;
  let exponent = 0;
  if (magnitude >= 32) exponent = Math.min(7, Math.floor(Math.log2(magnitude)) - 4);
  const mantissa = exponent === 0 ? (magnitude >> 1) & 0x0f : (magnitude >> exponent) & 0x0f;
  return (sign | (exponent << 4) | mantissa) ^ 0x55;
}
