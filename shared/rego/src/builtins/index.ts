/** The builtin registry: every family of builtins, by name. */
import { awsBuiltins } from './aws.ts';
import { coreBuiltins } from './core.ts';
import { encodingBuiltins } from './encoding.ts';
import { globsBuiltins } from './globs.ts';
import { schemaBuiltins } from './jsonschema.ts';
import { jwtBuiltins } from './jwt.ts';
import { miscBuiltins } from './misc.ts';
import { netBuiltins } from './net.ts';
import { objectBuiltins } from './objects.ts';
import { regexBuiltins } from './regex.ts';
import { stringBuiltins } from './strings.ts';
import { templateBuiltins } from './template.ts';
import { timeBuiltins } from './time.ts';
import type { Builtin } from './types.ts';
import { x509Builtins } from './x509.ts';

const registry = new Map<string, Builtin>();
for (const b of [
  ...coreBuiltins,
  ...stringBuiltins,
  ...regexBuiltins,
  ...objectBuiltins,
  ...encodingBuiltins,
  ...timeBuiltins,
  ...netBuiltins,
  ...miscBuiltins,
  ...jwtBuiltins,
  ...schemaBuiltins,
  ...x509Builtins,
  ...awsBuiltins,
  ...templateBuiltins,
  ...globsBuiltins,
])
  registry.set(b.name, b);

export function lookupBuiltin(name: string): Builtin | undefined {
  return registry.get(name);
}
