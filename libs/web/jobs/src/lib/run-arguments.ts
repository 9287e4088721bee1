/** What the Run form's one "Arguments" box means, split the way the salt CLI reads a command line. */
export interface ParsedArguments {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

export class ArgumentsError extends Error {}

const KWARG = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

/**
 * `'ls -l /tmp' timeout=30 test=true` → args `["ls -l /tmp"]`, kwargs `{timeout: 30, test: true}`.
 * Words split on spaces outside quotes; `name=value` is a keyword argument; numbers, true, false,
 * null and JSON lists or objects become those values, everything else stays text.
 */
export function parseArguments(text: string): ParsedArguments {
  const result: ParsedArguments = { args: [], kwargs: {} };
  for (const { word, quoted, startsQuoted } of words(text)) {
    const kw = startsQuoted ? null : KWARG.exec(word);
    if (kw) result.kwargs[kw[1]] = value(kw[2], quoted);
    else result.args.push(value(word, quoted));
  }
  return result;
}

function value(text: string, quoted: boolean): unknown {
  if (quoted) return text;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'True') return true;
  if (text === 'false' || text === 'False') return false;
  if (text === 'null' || text === 'None') return null;
  if (/^[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

interface Word {
  word: string;
  /** Some part was quoted: the value is text, whatever it looks like. */
  quoted: boolean;
  /** The word opened with a quote: `'a=b'` is a positional argument, not a keyword. */
  startsQuoted: boolean;
}

function words(text: string): Word[] {
  const out: Word[] = [];
  let current: Word | null = null;
  let quote: '"' | "'" | null = null;
  // Inside [..] or {..} spaces do not split: `[1, 2]` is one JSON argument.
  let depth = 0;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else if (current) current.word += ch;
      continue;
    }
    if (/\s/.test(ch) && depth === 0) {
      if (current) out.push(current);
      current = null;
      continue;
    }
    current ??= { word: '', quoted: false, startsQuoted: ch === '"' || ch === "'" };
    if ((ch === '"' || ch === "'") && depth === 0) {
      quote = ch;
      current.quoted = true;
      continue;
    }
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    current.word += ch;
  }
  if (quote) throw new ArgumentsError(`Unclosed ${quote} quote in the arguments.`);
  if (current) out.push(current);
  return out;
}
