/**
 * Serialises values the way Salt does on the wire: `json.dumps(obj, ensure_ascii=False)` with
 * Python's default separators (", " and ": "). Key order is insertion order, as in a Python 3 dict.
 *
 * Numbers print as JavaScript does, which matches Python's repr for every non-integral float;
 * callers that need a Python float with a zero fraction must avoid producing one (see `pyFloat`).
 */
export function pyDumps(value: unknown): string {
  return write(value);
}

function write(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes exactly what Python escapes when ensure_ascii is off:
      // quote, backslash and C0 controls, with lowercase \u00xx.
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ', ';
      out += write(value[i]);
    }
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined) continue;
    if (!first) out += ', ';
    first = false;
    out += JSON.stringify(key) + ': ' + write(v);
  }
  return out + '}';
}

/**
 * Rounds to `digits` decimals and nudges a result with a zero fraction off the integer, so that
 * it prints as a float would in Python (8123.456, never 8123 where Salt sends 8123.0).
 */
export function pyFloat(n: number, digits = 3): number {
  const f = 10 ** digits;
  let r = Math.round(n * f) / f;
  if (Number.isInteger(r)) r += 1 / f;
  return r;
}
