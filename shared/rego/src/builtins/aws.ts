/** providers.aws.sign_req: AWS Signature Version 4 over a Rego request object, as OPA computes it. */
import { createHash, createHmac } from 'node:crypto';
import { isNumber, RObject, stringify, type Value } from '../values.ts';
import { obj, typeError } from './args.ts';
import type { Builtin } from './types.ts';

const REQUEST_KEYS = ['method', 'url'];
const CONFIG_KEYS = ['aws_access_key', 'aws_region', 'aws_secret_access_key', 'aws_service'];

function requireStrings(o: RObject, keys: string[], pos: number, what: string): Record<string, string> {
  const missing = keys.filter((k) => o.get(k) === undefined);
  if (missing.length)
    typeError(`operand ${pos} missing required ${what} parameters(s): {${missing.map((k) => `"${k}"`).join(', ')}}`);
  const invalid = keys.filter((k) => typeof o.get(k) !== 'string');
  if (invalid.length)
    typeError(
      `operand ${pos} invalid values for required ${what} parameters(s): {${invalid.map((k) => `"${k}"`).join(', ')}}`,
    );
  return Object.fromEntries(keys.map((k) => [k, o.get(k) as string]));
}

function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** RFC 3986 encoding as SigV4 wants it. */
function uriEncode(s: string, keepSlash: boolean): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, keepSlash ? '/' : '%2F');
}

function signRequest(args: Value[]): Value {
  const req = obj(args, 0);
  const config = obj(args, 1);
  const { method = '', url = '' } = requireStrings(req, REQUEST_KEYS, 1, 'request');
  const creds = requireStrings(config, CONFIG_KEYS, 2, 'AWS config');
  const time = args[2]!;
  if (!isNumber(time) || Number(time) < 0) typeError('operand 3 could not convert time_ns value into a unix timestamp');
  const unsigned = config.get('disable_payload_signing');
  if (unsigned !== undefined && typeof unsigned !== 'boolean')
    typeError(`operand 2 invalid value for 'disable_payload_signing' in AWS config`);
  const session = config.get('aws_session_token');

  const date = new Date(Math.floor(Number(time) / 1e6));
  const amzDate = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const parsed = new URL(url);
  const raw = req.get('raw_body');
  const body = req.get('body');
  const payload = typeof raw === 'string' ? raw : body === undefined ? '' : stringify(body);
  const payloadHash = unsigned === true ? 'UNSIGNED-PAYLOAD' : sha256(payload);

  // headers of the request are signed as given, even where the signer sets its own value (as OPA does)
  const headers = new Map<string, string>([
    ['host', parsed.host],
    ['x-amz-date', amzDate],
    ['x-amz-content-sha256', payloadHash],
  ]);
  if (typeof session === 'string') headers.set('x-amz-security-token', session);
  const given = req.get('headers');
  if (given instanceof RObject)
    for (const [k, v] of given.entries())
      headers.set(String(k).toLowerCase(), typeof v === 'string' ? v : stringify(v));
  const names = [...headers.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers.get(n)!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const query = [...parsed.searchParams.entries()]
    .map(([k, v]) => `${uriEncode(k, false)}=${uriEncode(v, false)}`)
    .sort()
    .join('&');
  // as Go's url.URL.Path: empty when the URL has no path; the method is used as given
  const rawPath = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)?.[1] ?? '';
  const path = uriEncode(decodeURIComponent(rawPath), true);
  const canonical = [method, path, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${creds.aws_region}/${creds.aws_service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = ['aws4_request'].reduce(
    (k, part) => hmac(k, part),
    hmac(hmac(hmac(`AWS4${creds.aws_secret_access_key}`, day), creds.aws_region!), creds.aws_service!),
  );
  const signature = createHmac('sha256', key).update(toSign).digest('hex');

  const out = req.clone();
  const outHeaders = given instanceof RObject ? given.clone() : new RObject();
  outHeaders.set(
    'Authorization',
    `AWS4-HMAC-SHA256 Credential=${creds.aws_access_key}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`,
  );
  outHeaders.set('host', parsed.host);
  outHeaders.set('x-amz-content-sha256', payloadHash);
  outHeaders.set('x-amz-date', amzDate);
  if (typeof session === 'string') outHeaders.set('x-amz-security-token', session);
  out.set('headers', outHeaders);
  return out;
}

export const awsBuiltins: Builtin[] = [{ name: 'providers.aws.sign_req', arity: 3, fn: signRequest }];
