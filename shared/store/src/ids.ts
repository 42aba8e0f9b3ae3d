import { randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `${prefix}_` + `length` random base32 characters (5 bits each: 20 characters = 100 bits). */
export function newId(prefix: string, length = 20): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! & 31];
  return `${prefix}_${out}`;
}

/** True for a string that looks like an id newId(prefix) made. */
export function isId(prefix: string, value: string, length = 20): boolean {
  return new RegExp(`^${prefix}_[a-z2-7]{${length}}$`).test(value);
}
