import { describe, expect, it } from 'vitest';
import { isSecretKey, redactText, redactValue, registerSecret } from './redact.ts';

describe('redaction', () => {
  it('masks registered secret values wherever they appear', () => {
    registerSecret('s3cr3t-value-for-test');
    expect(redactText('token s3cr3t-value-for-test in a url ?x=s3cr3t-value-for-test')).not.toContain('s3cr3t');
    expect(redactText('plain s3cr3t-value-for-test', { labelled: false })).toBe('plain [REDACTED]');
  });

  it('masks credentials by shape', () => {
    const text = redactText(
      'ghp_abcdefghijklmnopqrstuvwxyz0123 and xoxb-1234567890-abcdef and hvs.CAESIJ1234567890abcdefghij',
    );
    expect(text).toBe('[REDACTED] and [REDACTED] and [REDACTED]');
  });

  it('masks labelled values in logs but keeps the label', () => {
    expect(redactText('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [REDACTED]');
    expect(redactText('{"password":"hunter2","user":"bob"}')).toBe('{"password":"[REDACTED]","user":"bob"}');
    expect(redactText('postgres://app:pa55@db:5432/x')).toBe('postgres://app:[REDACTED]@db:5432/x');
    expect(redactText('(token=abc) [password: x]')).toBe('(token=[REDACTED]) [password: [REDACTED]]');
  });

  it('leaves labelled text alone in tool output so file contents stay intact', () => {
    const fileLine = ['password: $', '{DB_PASSWORD}'].join('');
    expect(redactText(fileLine, { labelled: false })).toBe(fileLine);
  });

  it('masks secret-named fields in objects', () => {
    expect(redactValue({ user: 'bob', password: 'x', nested: { apiKey: 'y', list: ['ok'] }, token_ttl: 3600 })).toEqual(
      {
        user: 'bob',
        password: '[REDACTED]',
        nested: { apiKey: '[REDACTED]', list: ['ok'] },
        token_ttl: 3600,
      },
    );
  });

  it('knows a secret-looking key by one rule, and a reference to a secret is not one', () => {
    for (const key of [
      'DB_PASSWORD',
      'passwd',
      'passphrase',
      'client_secret',
      'apiKey',
      'Authorization',
      'private_key',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ['secretName', 'tokenSecretRef', 'passwordFile', 'secret_path', 'bypass', 'user']) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });

  it('masks environment variables whose name looks secret', () => {
    const env = [
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'LOG_LEVEL', value: 'info' },
    ];
    expect(redactValue({ env })).toEqual({
      env: [
        { name: 'DB_PASSWORD', value: '[REDACTED]' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
    });
  });

  it('redacts values inside strings only: keys and numbers stay as they are', () => {
    registerSecret('9876');
    registerSecret('a"b\\c-secret');
    const value = { '9876': 98765, note: 'pin 9876, and a"b\\c-secret', token: 'kept without keys' };
    expect(redactValue(value, { labelled: false, keys: false })).toEqual({
      '9876': 98765,
      note: 'pin [REDACTED], and [REDACTED]',
      token: 'kept without keys',
    });
  });
});
