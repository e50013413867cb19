// Envelope amounts grouped for the prize plan's bar chart (components/prize-chart.tsx).

export interface HistogramBin {
  /** Lower bound of the bin, fen, inclusive. */
  fromFen: number;
  /** Upper bound, fen, inclusive. */
  toFen: number;
  envelopes: number;
}

/** Envelope amounts grouped into at most `binsMax` equal-width bins for a bar chart. */
export function histogram(amounts: readonly number[], binsMax = 12): HistogramBin[] {
  if (amounts.length === 0) return [];
  let low = Infinity;
  let high = -Infinity;
  for (const amount of amounts) {
    low = Math.min(low, amount);
    high = Math.max(high, amount);
  }
  const width = Math.max(1, Math.ceil((high - low + 1) / binsMax));
  const bins: HistogramBin[] = [];
  for (let from = low; from <= high; from += width)
    bins.push({ fromFen: from, toFen: Math.min(high, from + width - 1), envelopes: 0 });
  for (const amount of amounts) {
    const bin = bins[Math.floor((amount - low) / width)];
    if (bin !== undefined) bin.envelopes += 1;
  }
  return bins;
}
