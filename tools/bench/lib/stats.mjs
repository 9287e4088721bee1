// Percentiles and same-run ratios. Every headline figure is a ratio of A to a baseline B measured
// in the same run, in alternating rounds (A B A B A B): one ratio per round, then the median with
// the min and max over rounds.

/** Linear-interpolated percentile of a numeric array (p in 0..100). */
export function percentile(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const i = ((s.length - 1) * p) / 100;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

export function median(values) {
  return percentile(values, 50);
}

export function summarize(values) {
  if (!values.length) return { n: 0, p50: null, p99: null, max: null, mean: null };
  return {
    n: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}

/** `{ median, min, max, n }` of per-round ratios, ignoring rounds without a value. */
export function ratioOf(ratios) {
  const r = ratios.filter((x) => x !== null && Number.isFinite(x));
  if (!r.length) return null;
  return { median: median(r), min: Math.min(...r), max: Math.max(...r), n: r.length };
}

export function fmtNum(x, d = 1) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (Math.abs(x) >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (Math.abs(x) >= 100) return x.toFixed(0);
  return x.toFixed(d);
}

export function fmtRatio(r) {
  if (!r) return '–';
  return `${r.median.toFixed(2)}× [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`;
}

export function fmtBytes(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1 << 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (Math.abs(n) >= 1 << 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (Math.abs(n) >= 1 << 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}
