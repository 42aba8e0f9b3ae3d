/** OPA `# METADATA` blocks: YAML in comments, attached to the package or rule that follows. */
import YAML from 'yaml';
import type { ModuleAst, RuleAst } from './ast.ts';
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

/** Annotations of one module: in source order, and by the rule they annotate (for rego.metadata.*). */
export interface ModuleAnnotations {
  list: Annotation[];
  byRule: Map<RuleAst, Annotation>;
}

export function parseAnnotations(
  module: ModuleAst,
  comments: Comment[],
  errors: CompileErrorDetail[],
): ModuleAnnotations {
  const out: ModuleAnnotations = { list: [], byRule: new Map() };
  const targets: { line: number; path: string; rule: RuleAst | undefined }[] = [
    { line: module.packageLoc.line, path: module.packagePath.join('.'), rule: undefined },
    ...module.rules.map((r) => ({
      line: r.loc.line,
      path: [
        ...module.packagePath,
        ...r.head.ref
          .map((t) => (t.type === 'var' ? t.name : t.type === 'scalar' ? String(t.value) : ''))
          .filter(Boolean),
      ].join('.'),
      rule: r,
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
    const scope = typeof fields.scope === 'string' ? fields.scope : target.rule ? 'rule' : 'package';
    const a: Annotation = { scope, path: target.path, location, fields };
    if (typeof fields.title === 'string') a.title = fields.title;
    if (typeof fields.description === 'string') a.description = fields.description;
    if (fields.custom && typeof fields.custom === 'object' && !Array.isArray(fields.custom))
      a.custom = fields.custom as Record<string, JSONValue>;
    out.list.push(a);
    if (target.rule) out.byRule.set(target.rule, a);
  }
  return out;
}

/** `data.pkg.rule` path of a rule: its package and the constant part of its head. */
export function rulePath(module: ModuleAst, rule: RuleAst): string {
  const parts: string[] = [];
  for (const t of rule.head.ref) {
    if (t.type === 'var' && parts.length === 0) parts.push(t.name);
    else if (t.type === 'scalar') parts.push(String(t.value));
    else break;
  }
  return [...module.packagePath, ...parts].join('.');
}

/**
 * rego.metadata.chain() for a rule: the rule (annotated or not), document-scoped annotations of its path, the
 * package's annotations from any module, then `subpackages` annotations of enclosing packages.
 */
export function metadataChain(path: string, ruleAnnotation: Annotation | undefined, all: Annotation[]): JSONValue[] {
  const entry = (a: Annotation | undefined, p: string): JSONValue =>
    a ? { annotations: metadataValue(a), path: p.split('.').slice(1) } : { path: p.split('.').slice(1) };
  const chain = [entry(ruleAnnotation, path)];
  for (const a of all) if (a.scope === 'document' && a.path === path) chain.push(entry(a, path));
  const pkg = path.split('.').slice(0, -1);
  for (const a of all) if (a.scope === 'package' && a.path === pkg.join('.')) chain.push(entry(a, a.path));
  for (let n = pkg.length; n > 1; n--) {
    const prefix = pkg.slice(0, n).join('.');
    for (const a of all) if (a.scope === 'subpackages' && a.path === prefix) chain.push(entry(a, a.path));
  }
  return chain;
}

/** The annotation as rego.metadata.rule() returns it: the YAML fields plus scope, authors as objects. */
export function metadataValue(a: Annotation | undefined): JSONValue {
  if (!a) return {};
  const out: Record<string, JSONValue> = { ...a.fields, scope: a.scope };
  if (Array.isArray(a.fields.authors))
    out.authors = a.fields.authors.map((author) => {
      if (typeof author !== 'string') return author;
      const m = /^(.*?)\s*<([^>]+)>$/.exec(author);
      return m ? { name: m[1]!, email: m[2]! } : { name: author };
    });
  return out;
}
