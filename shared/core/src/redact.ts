/**
 * Keeps secrets out of logs, errors, tool output and the audit log. Two nets: the exact values of configured
 * secrets (registered when config loads) and the shapes of well-known credentials. Structured values are
 * redacted value by value (redactValue), never as serialized text: a secret is masked however JSON would escape
 * it, and numbers and keys are never touched.
 */
export const REDACTED = '[REDACTED]';
const MIN_SECRET_LENGTH = 4;
/** Deeper than this a value is cut (logs may be handed cycles); tool arguments are refused long before. */
const MAX_DEPTH = 100;

const knownSecrets = new Set<string>();

/** Credentials recognisable by shape alone: the whole match is masked. */
const CREDENTIAL_SHAPES: RegExp[] = [
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\bhv[sbr]\.[A-Za-z0-9_-]{20,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}\b/g,
];

/** The words that make a key or a label name a secret: the one definition, for keys and for labels in text. */
const SECRET_WORDS = 'passw(?:or)?d|passphrase|secret|token|api[-_]?key|authorization|credential|private[-_]?key';
const SECRET_KEY = new RegExp(SECRET_WORDS, 'i');
/** Keys that name or point at a secret rather than hold one (secretName, tokenSecretRef, passwordFile). */
const REFERENCE = /(?:name|ref|path|file)$/i;

/** Credentials recognisable by what precedes them: group 1 (the label) is kept, the value masked. */
const LABELLED_CREDENTIALS: RegExp[] = [
  // Not when what follows is itself a field label (`... vault_read_secret: mount: Invalid input`): that is a
  // field name in an error message, not a credential.
  new RegExp(
    `((?:${SECRET_WORDS})"?\\s*[:=]\\s*"?(?:(?:bearer|token|basic)\\s+)?)(?![\\w.\\[\\]-]+:(?:\\s|$))[^\\s"',}&)\\]]+`,
    'gi',
  ),
  /(\/\/[^/\s:@]+:)[^@\s/]+(?=@)/g,
];

/** Whether a key (a field name, an environment variable's name) says its value is a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !REFERENCE.test(key);
}

/** Registers a secret value (a configured token, a password) so it is masked wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) knownSecrets.add(value);
}

export interface RedactOptions {
  /**
   * Also mask what follows a secret-looking label in text (`password: x`, `Authorization: Bearer x`). On by
   * default; tool output turns it off so that file contents such as `password: ${DB_PASSWORD}` stay intact.
   */
  labelled?: boolean;
  /**
   * (redactValue) Also mask the string values of secret-looking keys, and the value of a `{name, value}` pair whose
   * name looks secret (an environment variable). On by default (logs, the audit log); tool output turns it off:
   * a tool that returns a secret on purpose is marked `reveals` and audited instead.
   */
  keys?: boolean;
}

/** Masks secrets in text: registered values, credential shapes and, unless `labelled: false`, labelled values. */
export function redactText(text: string, options: RedactOptions = {}): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const shape of CREDENTIAL_SHAPES) out = out.replace(shape, REDACTED);
  if (options.labelled === false) return out;
  for (const labelled of LABELLED_CREDENTIALS) out = out.replace(labelled, `$1${REDACTED}`);
  return out;
}

/**
 * Deep copy of a value with secrets masked inside its strings (redactText) and, unless `keys: false`, the string
 * values of secret-looking keys masked. Numbers, booleans and keys are copied unchanged.
 */
export function redactValue<T>(value: T, options: RedactOptions = {}): T {
  return redactInner(value, options, 0) as T;
}

function redactInner(value: unknown, options: RedactOptions, depth: number): unknown {
  if (typeof value === 'string') return redactText(value, options);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.map((item) => redactInner(item, options, depth + 1));
  const keys = options.keys !== false;
  const record = value as Record<string, unknown>;
  // An environment variable ({name: DB_PASSWORD, value: ...}) names its secret in a sibling field.
  const secretPair = keys && typeof record.name === 'string' && isSecretKey(record.name);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    // Only strings can hold a credential: passwordLength or token_ttl stay readable.
    const secret = keys && typeof item === 'string' && (isSecretKey(key) || (secretPair && key === 'value'));
    out[key] = secret ? REDACTED : redactInner(item, options, depth + 1);
  }
  return out;
}
