import { Random } from '../random.js';

/** A seeded random split of row indices 0 … n−1 into a fitting part and a held-out part. */
export function holdOut(n: number, fraction: number, seed: number): { fit: Int32Array; heldOut: Int32Array } {
  const order = new Random(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const held = Math.round(n * fraction);
  return { fit: Int32Array.from(order.slice(held)).sort(), heldOut: Int32Array.from(order.slice(0, held)).sort() };
}
