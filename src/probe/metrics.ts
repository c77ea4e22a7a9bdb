import type { Labels } from './types.js';

export function accuracy(predicted: Labels, actual: Labels): number {
  if (predicted.length !== actual.length) throw new Error(`${predicted.length} predictions for ${actual.length} labels`);
  let right = 0;
  for (let i = 0; i < actual.length; i++) if (predicted[i] === actual[i]) right++;
  return actual.length ? right / actual.length : NaN;
}

/**
 * Unweighted mean of per-class F1 over the classes that occur in `actual` or `predicted`
 * (sklearn's `f1_score(average='macro')`; a class with no true and no predicted rows is left out).
 */
export function macroF1(predicted: Labels, actual: Labels, numClasses: number): number {
  const tp = new Float64Array(numClasses);
  const predictedCount = new Float64Array(numClasses);
  const actualCount = new Float64Array(numClasses);
  for (let i = 0; i < actual.length; i++) {
    predictedCount[predicted[i]]++;
    actualCount[actual[i]]++;
    if (predicted[i] === actual[i]) tp[actual[i]]++;
  }
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < numClasses; c++) {
    if (actualCount[c] + predictedCount[c] === 0) continue;
    sum += (2 * tp[c]) / (actualCount[c] + predictedCount[c]);
    classes++;
  }
  return classes ? sum / classes : NaN;
}

/** The most frequent label (lowest index on ties). */
export function majorityLabel(y: Labels, numClasses: number): number {
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  let best = 0;
  for (let c = 1; c < numClasses; c++) if (counts[c] > counts[best]) best = c;
  return best;
}

/** Accuracy of always answering the training split's most frequent label on the test labels. */
export function majorityAccuracy(trainLabels: Labels, testLabels: Labels, numClasses: number): number {
  const label = majorityLabel(trainLabels, numClasses);
  let right = 0;
  for (let i = 0; i < testLabels.length; i++) if (testLabels[i] === label) right++;
  return testLabels.length ? right / testLabels.length : NaN;
}

/** Index of the largest value in each row of a row-major [rows, cols] array (first on ties). */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  return Int32Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    return best;
  });
}

/** Mean negative log-likelihood (nats) of the true labels under row-major log-probabilities [rows, numClasses]. */
export function meanLogLoss(logProba: ArrayLike<number>, y: Labels, numClasses: number): number {
  let sum = 0;
  for (let r = 0; r < y.length; r++) sum -= logProba[r * numClasses + y[r]];
  return sum / y.length;
}
