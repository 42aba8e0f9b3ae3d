import * as z from 'zod';

export const mount = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: 'must be a mount name such as "secret" (no slashes)' })
  .describe('KV v2 mount; the server default (usually "secret") when omitted.');

export const secretPath = z
  .string()
  .regex(/^(?!.*\.\.)[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, {
    error: 'must be a secret path such as "payments/payments-api/database" (no leading or trailing slash, no "..")',
  })
  .describe('Secret path inside the mount, e.g. "payments/payments-api/database".');

export const versions = z
  .array(z.number().int().min(1, { error: 'versions are whole numbers from 1' }))
  .min(1, { error: 'give at least one version number (get_secret_metadata lists them)' })
  .max(100);
