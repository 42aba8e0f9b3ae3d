/**
 * Keeps secrets out of logs, errors and tool output. Two nets: the exact values of configured
 * secrets (registered when config loads) and the shapes of well-known credentials.
 */
const MASK = '[REDACTED]';
const MIN_SECRET_LENGTH = 4;

const knownSecrets = new Set<string>();

/** Credentials recognisable by shape alone: the whole match is masked. */
const CREDENTIAL_SHAPES: RegExp[] = [
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\bhv[sbr]\.[A-Za-z0-9_-]{20,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}\b/g,
];

/** Credentials recognisable by what precedes them: group 1 (the label) is kept, the value masked. */
const LABELLED_CREDENTIALS: RegExp[] = [
  /((?:proxy-)?authorization\s*[:=]\s*"?(?:(?:bearer|token|basic)\s+)?)[^\s"',})\]]+/gi,
  /((?:password|passwd|secret|token|api[_-]?key|client[_-]?secret)"?\s*[:=]\s*"?)[^\s"',}&)\]]+/gi,
  /(\/\/[^/\s:@]+:)[^@\s/]+(?=@)/g,
];

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|credential|private[-_]?key/i;

/** Registers a secret value (a configured token, a password) so it is masked wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) knownSecrets.add(value);
}

/**
 * Masks secrets in text. Logs and errors use the full net; tool output passes `labelled: false` so that
 * file contents such as `password: ${DB_PASSWORD}` are not mangled while real secret values still are.
 */
export function redactText(text: string, options: { labelled?: boolean } = {}): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  for (const shape of CREDENTIAL_SHAPES) out = out.replace(shape, MASK);
  if (options.labelled === false) return out;
  for (const labelled of LABELLED_CREDENTIALS) out = out.replace(labelled, `$1${MASK}`);
  return out;
}

/** Deep copy of a value with secret-named fields masked and secret values removed from strings. */
export function redactValue<T>(value: T): T {
  return redactInner(value, 0) as T;
}

function redactInner(value: unknown, depth: number): unknown {
  if (depth > 20) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactInner(item, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // Only strings can hold a credential: passwordLength or token_ttl stay readable.
      out[key] = SECRET_KEY.test(key) && typeof item === 'string' ? MASK : redactInner(item, depth + 1);
    }
    return out;
  }
  return value;
}
