/** Positional args plus kwargs, as a minion's `load_args_and_kwargs` unpacks a publish. */
export interface ParsedArgs {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `salt.utils.args.condition_input`: kwargs travel as a trailing `{"__kwarg__": true, …}`. */
export function conditionInput(arg: unknown[], kwarg: Record<string, unknown> | undefined): unknown[] {
  const out = [...arg];
  if (kwarg && Object.keys(kwarg).length) out.push({ __kwarg__: true, ...kwarg });
  return out;
}

/** The minion pops `__kwarg__` before reporting `fun_args`; "k=v" strings stay strings. */
export function funArgs(arg: unknown[]): unknown[] {
  return arg.map((a) => {
    if (isDict(a) && a['__kwarg__'] === true) {
      const rest = { ...a };
      delete rest['__kwarg__'];
      return rest;
    }
    return a;
  });
}

/** YAML-ish scalar parsing of `key=value` arguments (`test=True` → true). */
export function yamlScalar(v: string): unknown {
  if (/^(true|True|TRUE|yes)$/.test(v)) return true;
  if (/^(false|False|FALSE|no)$/.test(v)) return false;
  if (/^(null|None|~)$/.test(v)) return null;
  if (/^-?\d+$/.test(v)) return Number(v);
  if (/^-?\d+\.\d+$/.test(v)) return Number(v);
  return v;
}

export function parseArgs(arg: unknown[]): ParsedArgs {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  for (const a of arg) {
    if (isDict(a) && a['__kwarg__'] === true) {
      for (const [k, v] of Object.entries(a)) if (k !== '__kwarg__') kwargs[k] = v;
    } else if (typeof a === 'string' && /^[A-Za-z_][\w]*=/.test(a) && !a.includes(' ')) {
      const i = a.indexOf('=');
      kwargs[a.slice(0, i)] = yamlScalar(a.slice(i + 1));
    } else args.push(a);
  }
  return { args, kwargs };
}

export function truthy(v: unknown): boolean {
  return v === true || v === 'True' || v === 'true' || v === 1;
}
