/** OPA `# METADATA` blocks: YAML in comments, attached to the package or rule that follows. */
import YAML from 'yaml';
import type { ModuleAst } from './ast.ts';
import type { CompileErrorDetail, Location } from './errors.ts';
import type { Comment } from './lexer.ts';
import type { JSONValue } from './values.ts';

export interface Annotation {
  /** `package`, `rule`, `document` or `subpackages` (OPA scopes). */
  scope: string;
  /** Path of the annotated package or rule, e.g. `data.kubernetes.deny`. */
  path: string;
  location: Location;
  title?: string;
  description?: string;
  custom?: Record<string, JSONValue>;
  /** Every YAML field of the block, as written. */
  fields: Record<string, JSONValue>;
}

export function parseAnnotations(module: ModuleAst, comments: Comment[], errors: CompileErrorDetail[]): Annotation[] {
  const out: Annotation[] = [];
  const targets = [
    { line: module.packageLoc.line, path: module.packagePath.join('.'), isPackage: true },
    ...module.rules.map((r) => ({
      line: r.loc.line,
      path: [
        ...module.packagePath,
        ...r.head.ref
          .map((t) => (t.type === 'var' ? t.name : t.type === 'scalar' ? String(t.value) : ''))
          .filter(Boolean),
      ].join('.'),
      isPackage: false,
    })),
  ].sort((a, b) => a.line - b.line);
  for (let i = 0; i < comments.length; i++) {
    const c = comments[i]!;
    if (c.text.trim() !== 'METADATA') continue;
    const lines: string[] = [];
    let line = c.line;
    let j = i + 1;
    while (j < comments.length && comments[j]!.line === line + 1 && comments[j]!.col === c.col) {
      lines.push(comments[j]!.text.replace(/^ /, ''));
      line = comments[j]!.line;
      j++;
    }
    i = j - 1;
    const location = { file: module.file, line: c.line, col: c.col };
    let fields: Record<string, JSONValue>;
    try {
      const parsed = YAML.parse(lines.join('\n')) as unknown;
      fields =
        parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, JSONValue>) : {};
    } catch (e) {
      errors.push({ ...location, message: `rego_parse_error: invalid METADATA block: ${(e as Error).message}` });
      continue;
    }
    const target = targets.find((t) => t.line > line);
    if (!target) {
      errors.push({ ...location, message: 'rego_parse_error: METADATA block is not followed by a package or rule' });
      continue;
    }
    const scope = typeof fields.scope === 'string' ? fields.scope : target.isPackage ? 'package' : 'rule';
    const a: Annotation = { scope, path: target.path, location, fields };
    if (typeof fields.title === 'string') a.title = fields.title;
    if (typeof fields.description === 'string') a.description = fields.description;
    if (fields.custom && typeof fields.custom === 'object' && !Array.isArray(fields.custom))
      a.custom = fields.custom as Record<string, JSONValue>;
    out.push(a);
  }
  return out;
}
