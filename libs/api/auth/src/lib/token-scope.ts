import { globMatches, parseGrant } from '@sylvite/contracts';

/** True when `wanted` grants nothing beyond what one of `held` grants. */
export function coveredBy(wanted: string, held: readonly string[]): boolean {
  const w = parseGrant(wanted);
  if (!w) return false;
  return held.some((h) => {
    const g = parseGrant(h);
    if (!g) return false;
    const verbOk = g.verb === '*' || g.verb === w.verb;
    const typeOk = g.type === '*' || g.type === w.type;
    const patternOk = g.pattern === '*' || g.pattern === w.pattern || (!/[*?[]/.test(w.pattern) && globMatches(g.pattern, w.pattern));
    return verbOk && typeOk && patternOk;
  });
}
