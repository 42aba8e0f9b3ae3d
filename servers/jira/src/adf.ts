/**
 * Atlassian Document Format (ADF) both ways: Markdown or plain text to a document for writes (descriptions,
 * comments), and a document back to compact Markdown-ish text for reads. Covers what people write in tickets:
 * paragraphs, headings, bullet and numbered lists, fenced code, quotes, rules, bold, italic, inline code, links.
 */

export type AdfNode = {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
};

export type AdfDocument = {
  type: 'doc';
  version: 1;
  content: AdfNode[];
};

type Mark = NonNullable<AdfNode['marks']>[number];

/** Inline Markdown to ADF text nodes. */
function inline(text: string, marks: Mark[] = []): AdfNode[] {
  const nodes: AdfNode[] = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  const plain = (value: string) => {
    if (value) nodes.push(marks.length ? { type: 'text', text: value, marks } : { type: 'text', text: value });
  };
  for (const match of text.matchAll(pattern)) {
    plain(text.slice(last, match.index));
    const [token] = match;
    if (match[1]) nodes.push({ type: 'text', text: token.slice(1, -1), marks: [...marks, { type: 'code' }] });
    else if (match[2]) nodes.push(...inline(token.slice(2, -2), [...marks, { type: 'strong' }]));
    else if (match[3]) nodes.push(...inline(token.slice(1, -1), [...marks, { type: 'em' }]));
    else {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token)!;
      nodes.push(...inline(link[1]!, [...marks, { type: 'link', attrs: { href: link[2] } }]));
    }
    last = (match.index ?? 0) + token.length;
  }
  plain(text.slice(last));
  return nodes;
}

function paragraph(lines: string[]): AdfNode {
  const content: AdfNode[] = [];
  lines.forEach((line, index) => {
    if (index > 0) content.push({ type: 'hardBreak' });
    content.push(...inline(line));
  });
  return { type: 'paragraph', content };
}

/** Markdown (or plain text, which is Markdown without markup) to an Atlassian document. */
export function markdownToAdf(markdown: string): AdfDocument {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const content: AdfNode[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    const fence = /^```\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      const code: string[] = [];
      index++;
      while (index < lines.length && !/^```\s*$/.test(lines[index]!)) code.push(lines[index++]!);
      index++;
      content.push({
        type: 'codeBlock',
        ...(fence[1] ? { attrs: { language: fence[1] } } : {}),
        content: code.length ? [{ type: 'text', text: code.join('\n') }] : [],
      });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      content.push({ type: 'heading', attrs: { level: heading[1]!.length }, content: inline(heading[2]!.trim()) });
      index++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      content.push({ type: 'rule' });
      index++;
      continue;
    }
    const listKind = /^\s*[-*+]\s+/.test(line) ? 'bulletList' : /^\s*\d+[.)]\s+/.test(line) ? 'orderedList' : null;
    if (listKind) {
      const marker = listKind === 'bulletList' ? /^\s*[-*+]\s+/ : /^\s*\d+[.)]\s+/;
      const items: AdfNode[] = [];
      while (index < lines.length && marker.test(lines[index]!)) {
        items.push({ type: 'listItem', content: [paragraph([lines[index]!.replace(marker, '')])] });
        index++;
      }
      content.push({ type: listKind, content: items });
      continue;
    }
    if (/^>\s?/.test(line)) {
      const quoted: string[] = [];
      while (index < lines.length && /^>\s?/.test(lines[index]!)) quoted.push(lines[index++]!.replace(/^>\s?/, ''));
      content.push({ type: 'blockquote', content: [paragraph(quoted)] });
      continue;
    }
    if (line.trim() === '') {
      index++;
      continue;
    }
    const block: string[] = [];
    while (
      index < lines.length &&
      lines[index]!.trim() !== '' &&
      !/^(```|#{1,6}\s|>|\s*[-*+]\s+|\s*\d+[.)]\s+)/.test(lines[index]!)
    ) {
      block.push(lines[index++]!);
    }
    if (block.length === 0) block.push(lines[index++]!);
    content.push(paragraph(block));
  }
  return { type: 'doc', version: 1, content };
}

function inlineText(nodes: AdfNode[] | undefined): string {
  return (nodes ?? [])
    .map((node) => {
      if (node.type === 'hardBreak') return '\n';
      if (node.type === 'mention') return String(node.attrs?.text ?? '@user');
      if (node.type === 'emoji') return String(node.attrs?.text ?? node.attrs?.shortName ?? '');
      if (node.type === 'inlineCard') return String(node.attrs?.url ?? '');
      if (node.type !== 'text') return inlineText(node.content);
      let text = node.text ?? '';
      for (const mark of node.marks ?? []) {
        if (mark.type === 'code') text = `\`${text}\``;
        else if (mark.type === 'strong') text = `**${text}**`;
        else if (mark.type === 'em') text = `*${text}*`;
        else if (mark.type === 'link') text = `[${text}](${String(mark.attrs?.href ?? '')})`;
      }
      return text;
    })
    .join('');
}

function blockText(node: AdfNode, indent = ''): string {
  switch (node.type) {
    case 'paragraph':
      return indent + inlineText(node.content);
    case 'heading':
      return `${'#'.repeat(Number(node.attrs?.level ?? 1))} ${inlineText(node.content)}`;
    case 'codeBlock':
      return `\`\`\`${String(node.attrs?.language ?? '')}\n${inlineText(node.content)}\n\`\`\``;
    case 'rule':
      return '---';
    case 'blockquote':
      return (node.content ?? []).map((child) => `> ${blockText(child)}`).join('\n');
    case 'bulletList':
    case 'orderedList':
      return (node.content ?? [])
        .map((item, i) => {
          const bullet = node.type === 'bulletList' ? '- ' : `${i + 1}. `;
          const [first, ...rest] = (item.content ?? []).map((child) => blockText(child, `${indent}  `));
          return [`${indent}${bullet}${(first ?? '').trimStart()}`, ...rest].join('\n');
        })
        .join('\n');
    default:
      return node.content
        ? (node.content ?? []).map((child) => blockText(child, indent)).join('\n')
        : inlineText([node]);
  }
}

/** An Atlassian document as compact Markdown-ish text; blocks joined by blank lines. Non-documents give ''. */
export function adfToText(document: unknown): string {
  if (document === null || typeof document !== 'object') return typeof document === 'string' ? document : '';
  const content = (document as { content?: unknown }).content;
  if (!Array.isArray(content)) return '';
  return (content as AdfNode[]).map((node) => blockText(node)).join('\n\n');
}
