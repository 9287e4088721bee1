import { IncomingMessage } from 'node:http';
import { HttpError } from '../master/errors';

/** rest_cherrypy's `max_request_body_size` default. */
export const MAX_BODY = 1048576;

export interface ParsedBody {
  /** `request.unserialized_data`: null when the body was skipped. */
  data: unknown;
  /** `request.raw_body`: the text for JSON/YAML/text, "" for form data. */
  raw: string;
}

export function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** CherryPy's urlencoded processor: repeated keys become lists. */
export function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

/**
 * `hypermedia_in`: a POST whose Content-Length is missing or "0" is not read at all (data
 * None); otherwise the Content-Type picks the processor, and anything unknown is a 406.
 * YAML is parsed as JSON (its common subset); anything else in a YAML body is a 400.
 */
export async function parseBody(req: IncomingMessage): Promise<ParsedBody> {
  const len = req.headers['content-length'];
  if (req.method !== 'POST' || len === undefined || len === '0') {
    req.resume();
    return { data: null, raw: '' };
  }
  const ctRaw = req.headers['content-type'] ?? 'application/x-www-form-urlencoded';
  const ct = ctRaw.split(';')[0].trim().toLowerCase();
  const known = ['application/x-www-form-urlencoded', 'application/json', 'application/x-yaml', 'text/yaml', 'text/plain'];
  if (!known.includes(ct)) {
    req.resume();
    throw new HttpError(406, 'Content type not supported');
  }
  const text = (await readBody(req)).toString('utf8');
  switch (ct) {
    case 'application/x-www-form-urlencoded':
      return { data: parseForm(text), raw: '' };
    case 'application/json':
      try {
        return { data: JSON.parse(text), raw: text };
      } catch {
        throw new HttpError(400, 'Invalid JSON document');
      }
    case 'text/plain':
      try {
        return { data: JSON.parse(text), raw: text };
      } catch {
        return { data: text, raw: text };
      }
    default:
      try {
        return { data: JSON.parse(text), raw: text };
      } catch {
        throw new HttpError(400, 'Invalid YAML document');
      }
  }
}

/**
 * `lowdata_fmt`: a non-empty mapping becomes a one-element list (its `arg` made a list);
 * anything else — a list, a string, None, an empty mapping — is passed through as is.
 */
export function toLowstate(data: unknown): unknown {
  if (data && typeof data === 'object' && !Array.isArray(data) && Object.keys(data).length > 0) {
    const d = data as Record<string, unknown>;
    if ('arg' in d && !Array.isArray(d['arg'])) d['arg'] = [d['arg']];
    return [d];
  }
  return data;
}
