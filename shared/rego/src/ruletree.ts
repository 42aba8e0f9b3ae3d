/** The tree of documents: one node per path segment below `data`, holding the rules defined at that path. */
import type { RuleNode } from './ir.ts';
import { keyOf, type Value } from './values.ts';

export function newNode(key: Value, path: Value[]): RuleNode {
  return {
    key,
    path,
    name: `data${path.map((p) => (typeof p === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('')}`,
    children: new Map(),
    rules: [],
    funcs: [],
    arity: undefined,
    defaultRule: undefined,
    defaultFunc: undefined,
  };
}

export function childNode(node: RuleNode, key: Value, create: boolean): RuleNode | undefined {
  const k = keyOf(key);
  let child = node.children.get(k);
  if (!child && create) {
    child = newNode(key, [...node.path, key]);
    node.children.set(k, child);
  }
  return child;
}

export function findNode(root: RuleNode, path: Value[]): RuleNode | undefined {
  let node: RuleNode | undefined = root;
  for (const p of path) {
    node = childNode(node, p, false);
    if (!node) return undefined;
  }
  return node;
}
