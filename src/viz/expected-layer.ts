/**
 * Tenney et al.'s (2019) "expected layer" (centre of gravity) from mean scores per hidden state
 * (index 0 = embeddings): Σ ℓ·Δ(ℓ) / Σ Δ(ℓ) over the gains Δ(ℓ) = s(ℓ) − s(ℓ−1). With independent
 * per-layer probes a gain can be negative; only improvements count (Δ clipped at 0), so the result stays
 * within [1, L], or is 0 when no layer improves on the embeddings. Missing (NaN) scores are skipped.
 */
export function expectedLayer(scores: readonly number[]): number {
  let weighted = 0;
  let total = 0;
  let previous = NaN;
  scores.forEach((s, layer) => {
    if (!Number.isFinite(s)) return;
    if (Number.isFinite(previous)) {
      const gain = Math.max(s - previous, 0);
      weighted += layer * gain;
      total += gain;
    }
    previous = s;
  });
  return total > 0 ? weighted / total : 0;
}
