/** io.jwt.*: decoding, signature verification (HMAC, RSA, RSA-PSS, ECDSA, EdDSA), decode_verify and signing. */
import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
  X509Certificate,
} from 'node:crypto';
import { isNumber, parseJSON, RObject, stringify, type Value } from '../values.ts';
import { builtinError, obj, str } from './args.ts';
import type { Builtin, BuiltinContext } from './types.ts';

function b64urlDecode(s: string, what: string): Buffer {
  const clean = s.replace(/=+$/, '');
  const bad = [...clean].findIndex((c) => !/[A-Za-z0-9_-]/.test(c));
  if (bad >= 0 || clean.length % 4 === 1)
    builtinError(
      `JWT ${what} had invalid encoding: illegal base64 data at input byte ${bad >= 0 ? bad : clean.length - 1}`,
    );
  return Buffer.from(clean, 'base64url');
}

function b64urlEncode(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

interface Token {
  header: Value;
  payload: Value;
  signature: Buffer;
  signedPart: string;
}

function parseJSONObject(bytes: Buffer): Value | undefined {
  try {
    return parseJSON(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Splits and decodes a compact JWS; nested tokens (cty JWT) decode to their innermost payload. */
function decodeToken(jwt: string): Token {
  const parts = jwt.split('.');
  if (parts.length === 1) builtinError('encoded JWT had no period separators');
  if (parts.length !== 3) builtinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  const [h, p, s] = parts as [string, string, string];
  const header = parseJSONObject(b64urlDecode(h, 'header'));
  if (!(header instanceof RObject)) return builtinError('JWT header is not a JSON object');
  if (header.get('enc') !== undefined) builtinError('JWT is a JWE object, which is not supported');
  const payloadBytes = b64urlDecode(p, 'payload');
  const signature = b64urlDecode(s, 'signature');
  if (header.get('cty') === 'JWT') {
    // the payload is the nested token, usually as a JSON string
    const inner = parseJSONObject(payloadBytes);
    const nested = typeof inner === 'string' ? inner : payloadBytes.toString('utf8');
    return decodeToken(nested);
  }
  const payload = parseJSONObject(payloadBytes);
  if (!(payload instanceof RObject)) builtinError('type is JWT but payload is not JSON');
  return { header, payload: payload!, signature, signedPart: `${h}.${p}` };
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Public keys in a verification key string: PEM certificate, PEM public key, JWK or JWK set. */
function publicKeys(material: string): KeyObject[] {
  const text = material.trim();
  if (text.startsWith('-----BEGIN CERTIFICATE-----')) {
    const end = text.indexOf('-----END CERTIFICATE-----');
    if (end < 0) builtinError('failed to extract a Key from the PEM certificate');
    if (text.slice(end + '-----END CERTIFICATE-----'.length).trim())
      builtinError('extra data after a PEM certificate block');
    try {
      return [new X509Certificate(text).publicKey];
    } catch {
      return builtinError('failed to parse a PEM certificate');
    }
  }
  if (text.startsWith('-----BEGIN')) {
    try {
      return [createPublicKey(text)];
    } catch {
      return builtinError('failed to extract a Key from the PEM certificate');
    }
  }
  try {
    const jwk = JSON.parse(text) as { keys?: object[] };
    const keys = Array.isArray(jwk.keys) ? jwk.keys : [jwk];
    return keys.map((k) => createPublicKey({ key: k as never, format: 'jwk' }));
  } catch {
    return builtinError('failed to parse a JWK key (set)');
  }
}

function verifySignature(alg: string, token: Token, key: string): boolean {
  const data = Buffer.from(token.signedPart);
  const bits = alg.slice(2);
  if (alg.startsWith('HS')) {
    const mac = createHmac(HASH[bits] ?? 'sha256', key)
      .update(data)
      .digest();
    return mac.length === token.signature.length && timingSafeEqual(mac, token.signature);
  }
  const keys = publicKeys(key);
  return keys.some((k) => {
    try {
      if (alg === 'EdDSA') return verify(null, data, k, token.signature);
      const hash = HASH[bits];
      if (!hash) return false;
      if (alg.startsWith('RS')) return verify(hash, data, k, token.signature);
      if (alg.startsWith('PS'))
        return verify(
          hash,
          data,
          { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
          token.signature,
        );
      if (alg.startsWith('ES')) return verify(hash, data, { key: k, dsaEncoding: 'ieee-p1363' }, token.signature);
      return false;
    } catch {
      return false;
    }
  });
}

function verifier(alg: string): Builtin {
  return {
    name: `io.jwt.verify_${alg.toLowerCase()}`,
    arity: 2,
    fn: (args) => {
      const token = decodeToken(str(args, 0));
      return verifySignature(alg, token, str(args, 1));
    },
  };
}

function numericClaim(payload: RObject, name: string): number | undefined {
  const v = payload.get(name);
  if (v === undefined) return undefined;
  if (!isNumber(v)) builtinError(`${name} value must be a number`);
  return Number(v);
}

function decodeVerify(args: Value[], ctx: BuiltinContext): Value {
  const jwt = str(args, 0);
  const constraints = obj(args, 1);
  const invalid = [false, new RObject(), new RObject()];
  let key: string | undefined;
  let alg: string | undefined;
  let iss: Value | undefined;
  let aud: Value | undefined;
  let timeNs = Number(ctx.nowNs);
  for (const [k, v] of constraints.entries()) {
    if (k === 'cert' || k === 'secret') {
      if (typeof v !== 'string') builtinError(`${k} constraint: must be a string`);
      key = v as string;
    } else if (k === 'alg') alg = String(v);
    else if (k === 'iss') iss = v;
    else if (k === 'aud') aud = v;
    else if (k === 'time') {
      if (!isNumber(v)) builtinError('time constraint: must be a number');
      timeNs = Number(v);
    } else builtinError(`unknown token validation constraint: ${typeof k === 'string' ? k : stringify(k)}`);
  }
  if (key === undefined) builtinError('no cert or secret provided');
  const token = decodeToken(jwt);
  const header = token.header as RObject;
  const payload = token.payload as RObject;
  const tokenAlg = header.get('alg');
  if (typeof tokenAlg !== 'string' || (alg !== undefined && tokenAlg !== alg)) return invalid;
  // no critical header extension is understood (RFC 7515 section 4.1.11)
  const crit = header.get('crit');
  if (crit !== undefined && !(Array.isArray(crit) && crit.length === 0)) return invalid;
  if (constraints.has('secret') !== tokenAlg.startsWith('HS')) return invalid;
  if (!verifySignature(tokenAlg, token, key!)) return invalid;
  const exp = numericClaim(payload, 'exp');
  if (exp !== undefined && timeNs / 1e9 >= exp) return invalid;
  const nbf = numericClaim(payload, 'nbf');
  if (nbf !== undefined && timeNs / 1e9 < nbf) return invalid;
  if (iss !== undefined && payload.get('iss') !== iss) return invalid;
  const tokenAud = payload.get('aud');
  if (tokenAud !== undefined) {
    if (aud === undefined) return invalid;
    const auds = Array.isArray(tokenAud) ? tokenAud : [tokenAud];
    if (!auds.includes(aud)) return invalid;
  } else if (aud !== undefined) return invalid;
  return [true, header, payload];
}

function signingKey(jwk: string): KeyObject | Buffer {
  let parsed: { kty?: string; k?: string };
  try {
    parsed = JSON.parse(jwk) as { kty?: string; k?: string };
  } catch {
    return builtinError('failed to parse a JWK key');
  }
  if (parsed.kty === 'oct') return Buffer.from(parsed.k ?? '', 'base64url');
  try {
    return createPrivateKey({ key: parsed as never, format: 'jwk' });
  } catch (e) {
    return builtinError(`failed to parse a JWK key: ${(e as Error).message}`);
  }
}

function signToken(headerText: string, payloadText: string, keyText: string): string {
  if (headerText === '') builtinError(`missing or invalid 'alg' header: cannot parse JSON: cannot parse empty string`);
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    // like OPA's JWS library: text that is not an object simply has no "alg"
    if (headerText.trim().startsWith('{')) builtinError(`missing or invalid 'alg' header: cannot parse JSON`);
  }
  const alg = header !== null && typeof header === 'object' ? (header as { alg?: unknown }).alg : undefined;
  if (typeof alg !== 'string') builtinError(`missing or invalid 'alg' header: jwsbb: header "alg" not found`);
  const typ = (header as { typ?: unknown }).typ;
  if (typ === 'JWT' || typ === undefined) {
    try {
      const p = JSON.parse(payloadText) as unknown;
      if (p === null || typeof p !== 'object') throw new Error('not an object');
    } catch {
      builtinError('type is JWT but payload is not JSON');
    }
  }
  const signedPart = `${b64urlEncode(headerText)}.${b64urlEncode(payloadText)}`;
  const key = signingKey(keyText);
  const a = alg as string;
  const hash = HASH[a.slice(2)];
  let signature: Buffer;
  if (a.startsWith('HS') && hash)
    signature = createHmac(hash, key as Buffer)
      .update(signedPart)
      .digest();
  else if (a === 'EdDSA') signature = sign(null, Buffer.from(signedPart), key as KeyObject);
  else if (a.startsWith('RS') && hash) signature = sign(hash, Buffer.from(signedPart), key as KeyObject);
  else if (a.startsWith('PS') && hash)
    signature = sign(hash, Buffer.from(signedPart), {
      key: key as KeyObject,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  else if (a.startsWith('ES') && hash)
    signature = sign(hash, Buffer.from(signedPart), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else return builtinError(`unknown JWS algorithm: ${a}`);
  return `${signedPart}.${b64urlEncode(signature)}`;
}

export const jwtBuiltins: Builtin[] = [
  {
    name: 'io.jwt.decode',
    arity: 1,
    fn: (args) => {
      const t = decodeToken(str(args, 0));
      return [t.header, t.payload, t.signature.toString('hex')];
    },
  },
  { name: 'io.jwt.decode_verify', arity: 2, fn: decodeVerify },
  ...['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'].map(
    verifier,
  ),
  { ...verifier('EdDSA'), name: 'io.jwt.verify_eddsa' },
  {
    name: 'io.jwt.encode_sign',
    arity: 3,
    fn: (args) => signToken(stringify(obj(args, 0)), stringify(obj(args, 1)), stringify(obj(args, 2))),
  },
  { name: 'io.jwt.encode_sign_raw', arity: 3, fn: (args) => signToken(str(args, 0), str(args, 1), str(args, 2)) },
];
