const cache = new Map<string, RegExp>();

/** Python `fnmatch.fnmatch` semantics on a POSIX system: `*`, `?`, `[seq]`, `[!seq]`, case-sensitive. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${translate(pattern)}$`, 's');
    if (cache.size > 2000) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(name);
}

function translate(pat: string): string {
  let out = '';
  let i = 0;
  while (i < pat.length) {
    const c = pat[i++];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      let j = i;
      if (j < pat.length && pat[j] === '!') j++;
      if (j < pat.length && pat[j] === ']') j++;
      while (j < pat.length && pat[j] !== ']') j++;
      if (j >= pat.length) {
        out += '\\[';
      } else {
        let stuff = pat.slice(i, j).replace(/\\/g, '\\\\');
        i = j + 1;
        if (stuff.startsWith('!')) stuff = '^' + stuff.slice(1);
        else if (stuff.startsWith('^')) stuff = '\\' + stuff;
        out += `[${stuff}]`;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

/** Python `re.match`: anchored at the start only. Invalid patterns match nothing. */
export function pcreMatch(name: string, pattern: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})`).test(name);
  } catch {
    return false;
  }
}
