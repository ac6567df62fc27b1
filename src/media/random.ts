/**
 * mulberry32: a tiny, fast seeded generator, good enough for pictures and fuzz mutations (not for
 * anything secret). The emulator's renderer and the media fuzzer draw from it so a seed reproduces
 * a picture or a mutated file exactly.
 */

/** Numbers in [0, 1) from a 32-bit `state`. */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
