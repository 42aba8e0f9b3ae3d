import { describe, expect, it } from 'vitest';
import { parseFlags } from '../src/cli.ts';
import { ConfigError } from '../src/config.ts';

describe('parseFlags', () => {
  it("judges a negative number after a flag as that flag's value, not with Node's parser message", () => {
    for (const args of [['--port', '-1'], ['--port=-1']]) {
      expect(() => parseFlags(args)).toThrow(new ConfigError('--port: must be 0-65535'));
    }
    expect(parseFlags(['--port', '8080', '--sandbox']).port).toBe(8080);
  });
});
