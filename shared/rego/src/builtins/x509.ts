/**
 * crypto.x509.* and crypto.parse_private_keys over node:crypto. Certificates are returned with the fields of Go's
 * x509.Certificate that policies read (Subject, Issuer, names, validity, serial number, Raw), not all of them.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { fromJSON, normalizeBig, RObject, type Value } from '../values.ts';
import { builtinError, str } from './args.ts';
import type { Builtin } from './types.ts';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function pemBlocks(text: string): { type: string; der: Buffer }[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({
    type: m[1]!,
    der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'),
  }));
}

function decodeBase64Strict(s: string): Buffer {
  const bad = [...s].findIndex((c) => !/[A-Za-z0-9+/=\r\n]/.test(c));
  if (bad >= 0 || s.replace(/[\r\n]/g, '').length % 4 !== 0)
    builtinError(`illegal base64 data at input byte ${bad >= 0 ? bad : s.length - (s.length % 4)}`);
  return Buffer.from(s, 'base64');
}

/** Length in bytes of the DER element starting at offset. */
function derLength(der: Buffer, offset: number): number {
  const first = der[offset + 1];
  if (first === undefined) return -1;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (der[offset + 2 + i] ?? 0);
  return 2 + n + len;
}

/** DER blobs of a PEM string, or of base64 holding PEM or one or more concatenated DER elements. */
function derBlobs(input: string, type: string, malformed = 'x509: malformed certificate'): Buffer[] {
  if (input.includes('-----BEGIN'))
    return pemBlocks(input)
      .filter((b) => b.type === type)
      .map((b) => b.der);
  const bytes = decodeBase64Strict(input);
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN'))
    return pemBlocks(text)
      .filter((b) => b.type === type)
      .map((b) => b.der);
  const out: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const len = derLength(bytes, offset);
    if (bytes[offset] !== 0x30 || len <= 0 || offset + len > bytes.length) builtinError(malformed);
    out.push(bytes.subarray(offset, offset + len));
    offset += len;
  }
  return out;
}

const NAME_FIELDS: Record<string, [string, boolean]> = {
  CN: ['CommonName', false],
  C: ['Country', true],
  O: ['Organization', true],
  OU: ['OrganizationalUnit', true],
  L: ['Locality', true],
  ST: ['Province', true],
  street: ['StreetAddress', true],
  postalCode: ['PostalCode', true],
  serialNumber: ['SerialNumber', false],
};

/** A distinguished name as Go's pkix.Name: empty lists are null, CommonName a string. */
function pkixName(dn: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [, [field, list]] of Object.entries(NAME_FIELDS)) out[field] = list ? null : '';
  for (const line of dn.split('\n')) {
    const i = line.indexOf('=');
    if (i < 0) continue;
    const spec = NAME_FIELDS[line.slice(0, i)];
    if (!spec) continue;
    const [field, list] = spec;
    const value = line.slice(i + 1);
    if (list) out[field] = [...((out[field] as string[] | null) ?? []), value];
    else out[field] = value;
  }
  return out;
}

function altNames(cert: X509Certificate, prefix: string): string[] | null {
  const names = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((n) => n.startsWith(`${prefix}:`))
    .map((n) => n.slice(prefix.length + 1));
  return names.length ? names : null;
}

function rfc3339(date: string): string {
  return new Date(date).toISOString().replace('.000Z', 'Z');
}

function certificateValue(der: Buffer): Value {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return builtinError('x509: malformed certificate');
  }
  return certificateFields(cert, der);
}

function certificateFields(cert: X509Certificate, der: Buffer): Value {
  const value = fromJSON({
    Raw: der.toString('base64'),
    Subject: pkixName(cert.subject),
    Issuer: pkixName(cert.issuer),
    DNSNames: altNames(cert, 'DNS'),
    EmailAddresses: altNames(cert, 'email'),
    IPAddresses: altNames(cert, 'IP Address'),
    URIStrings: altNames(cert, 'URI'),
    NotBefore: rfc3339(cert.validFrom),
    NotAfter: rfc3339(cert.validTo),
    IsCA: cert.ca,
  }) as RObject;
  value.set('SerialNumber', normalizeBig(BigInt(`0x${cert.serialNumber}`)));
  return value;
}

/** Subject of a PKCS#10 request: walks CertificationRequest > CertificationRequestInfo > subject Name. */
function requestSubject(der: Buffer): Value {
  const children = (offset: number): number[] => {
    const len = derLength(der, offset);
    const first = der[offset + 1]!;
    const header = first < 0x80 ? 2 : 2 + (first & 0x7f);
    const out: number[] = [];
    for (let o = offset + header; o < offset + len; o += derLength(der, o)) {
      if (derLength(der, o) <= 0) builtinError('asn1: structure error');
      out.push(o);
    }
    return out;
  };
  if (der[0] !== 0x30 || derLength(der, 0) !== der.length) builtinError("asn1: structure error: tags don't match");
  const info = children(0)[0];
  const name = info === undefined ? undefined : children(info)[1];
  if (name === undefined) return builtinError('asn1: structure error');
  const parts: string[] = [];
  const OIDS: Record<string, string> = {
    '550403': 'CN',
    '550406': 'C',
    '55040a': 'O',
    '55040b': 'OU',
    '550407': 'L',
    '550408': 'ST',
  };
  for (const set of children(name))
    for (const attr of children(set)) {
      const [oid, value] = children(attr);
      if (oid === undefined || value === undefined) continue;
      const oidHex = der.subarray(oid + 2, oid + derLength(der, oid)).toString('hex');
      const key = OIDS[oidHex];
      if (key) parts.push(`${key}=${der.subarray(value + 2, value + derLength(der, value)).toString('utf8')}`);
    }
  return fromJSON({ Subject: pkixName(parts.join('\n')), Raw: der.toString('base64') });
}

function privateKeyJWK(pem: string): Value {
  try {
    return fromJSON(createPrivateKey(pem).export({ format: 'jwk' }));
  } catch {
    return builtinError('failed to parse a private key');
  }
}

export const x509Builtins: Builtin[] = [
  {
    name: 'crypto.x509.parse_certificates',
    arity: 1,
    fn: (args) => derBlobs(str(args, 0), 'CERTIFICATE').map(certificateValue),
  },
  {
    name: 'crypto.x509.parse_and_verify_certificates',
    arity: 1,
    fn: (args) => {
      // the first certificate is the root, the last the leaf; the verified chain is returned leaf first
      const ders = derBlobs(str(args, 0), 'CERTIFICATE');
      const certs = ders.map((d) => new X509Certificate(d));
      const chained = certs.every((c, i) => {
        const issuer = certs[i - 1] ?? c;
        return c.checkIssued(issuer) && c.verify(issuer.publicKey);
      });
      if (certs.length < 2 || !chained) return [false, []];
      return [true, certs.map((c, i) => certificateFields(c, ders[i]!)).reverse()];
    },
  },
  {
    name: 'crypto.x509.parse_certificate_request',
    arity: 1,
    fn: (args) => {
      const [der] = derBlobs(str(args, 0), 'CERTIFICATE REQUEST', 'asn1: structure error');
      return der ? requestSubject(der) : builtinError('asn1: structure error');
    },
  },
  {
    name: 'crypto.x509.parse_keypair',
    arity: 2,
    fn: (args) => {
      const certText = str(args, 0);
      const keyText = str(args, 1);
      const asPem = (s: string) => (s.includes('-----BEGIN') ? s : decodeBase64Strict(s).toString('utf8'));
      const ders = derBlobs(asPem(certText), 'CERTIFICATE');
      if (!ders.length) builtinError('tls: failed to find any PEM data in certificate input');
      const key = privateKeyJWK(asPem(keyText));
      const out = new RObject();
      out.set(
        'Certificate',
        ders.map((d) => d.toString('base64')),
      );
      out.set('PrivateKey', key);
      return out;
    },
  },
  {
    name: 'crypto.x509.parse_rsa_private_key',
    arity: 1,
    fn: (args) => {
      const s = str(args, 0);
      return privateKeyJWK(s.includes('-----BEGIN') ? s : decodeBase64Strict(s).toString('utf8'));
    },
  },
  {
    name: 'crypto.parse_private_keys',
    arity: 1,
    fn: (args) => {
      const s = str(args, 0);
      if (s === '') return null;
      const text = s.includes('-----BEGIN') ? s : Buffer.from(s, 'base64').toString('utf8');
      return [...text.matchAll(PEM_BLOCK)].filter((m) => m[1]!.endsWith('PRIVATE KEY')).map((m) => privateKeyJWK(m[0]));
    },
  },
];
