import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import type { InputFormat } from './parse.ts';

/** `spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]` -> path segments. */
export function fieldSegments(field: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of field.matchAll(/\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|\.?([^.[\]]+)/g)) {
    if (match[1] !== undefined) segments.push(JSON.parse(`"${match[1]}"`) as string);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(match[3]!);
  }
  return segments;
}

/**
 * The 1-based line of a finding's field in the input text: the field itself, or its deepest ancestor
 * present (a missing securityContext.runAsNonRoot points at the container). YAML and JSON documents are
 * located through the YAML parser's source ranges; HCL by the resource block and attribute name.
 */
export function createLocator(
  text: string,
  format: InputFormat,
): (document: number, field: string) => number | undefined {
  if (format === 'hcl') return (_document, field) => locateHcl(text, field);
  let parsed: { docs: ReturnType<typeof parseAllDocuments>; lines: LineCounter } | undefined;
  return (document, field) => {
    if (!parsed) {
      const lines = new LineCounter();
      const docs = parseAllDocuments(text, { lineCounter: lines });
      parsed = { docs: Array.isArray(docs) ? docs : [], lines };
    }
    const docs = parsed.docs.filter((doc) => doc.contents !== null);
    // A JSON array of documents is one YAML document whose items are the documents.
    const root: Node | null | undefined =
      format === 'json' && isSeq(docs[0]?.contents)
        ? (docs[0]!.contents.items[document] as Node)
        : docs[document]?.contents;
    if (!root) return undefined;
    let node: unknown = root;
    let offset = (root as Node).range?.[0];
    for (const segment of fieldSegments(field)) {
      if (isMap(node)) {
        const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === segment);
        if (!pair) break;
        offset = (pair.key as Node | null)?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        node = node.items[segment];
        offset = (node as Node).range?.[0] ?? offset;
      } else break;
    }
    return offset === undefined ? undefined : parsed.lines.linePos(offset).line;
  };
}

function locateHcl(text: string, field: string): number | undefined {
  const [kind, type, name, attribute] = fieldSegments(field);
  if (kind !== 'resource' || typeof type !== 'string' || typeof name !== 'string') return undefined;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^\\s*resource\\s+"${type}"\\s+"${name}"`).test(line));
  if (start < 0) return undefined;
  if (typeof attribute === 'string') {
    for (let i = start + 1; i < lines.length && !/^}/.test(lines[i]!); i++) {
      if (new RegExp(`^\\s*${attribute}\\s*(=|\\{)`).test(lines[i]!)) return i + 1;
    }
  }
  return start + 1;
}
