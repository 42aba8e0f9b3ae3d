import { describe, expect, it } from 'vitest';
import { adfToText, markdownToAdf } from '../src/adf.ts';

const text = (value: string, marks?: unknown[]) =>
  marks ? { type: 'text', text: value, marks } : { type: 'text', text: value };

describe('Markdown to Atlassian Document Format', () => {
  it('turns plain text into paragraphs, keeping line breaks', () => {
    expect(markdownToAdf('First line\nsecond line\n\nNew paragraph')).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [text('First line'), { type: 'hardBreak' }, text('second line')] },
        { type: 'paragraph', content: [text('New paragraph')] },
      ],
    });
  });

  it('handles numbered lists, fenced code, quotes, rules and nested marks', () => {
    const doc = markdownToAdf(
      '1. roll back\n2. **check _p99_**\n\n```bash\nkubectl -n payments rollout undo deploy/payments-api\n```\n> customer impact: none\n\n---',
    );
    expect(doc.content).toEqual([
      {
        type: 'orderedList',
        content: [
          { type: 'listItem', content: [{ type: 'paragraph', content: [text('roll back')] }] },
          {
            type: 'listItem',
            content: [
              {
                type: 'paragraph',
                content: [text('check ', [{ type: 'strong' }]), text('p99', [{ type: 'strong' }, { type: 'em' }])],
              },
            ],
          },
        ],
      },
      {
        type: 'codeBlock',
        attrs: { language: 'bash' },
        content: [text('kubectl -n payments rollout undo deploy/payments-api')],
      },
      { type: 'blockquote', content: [{ type: 'paragraph', content: [text('customer impact: none')] }] },
      { type: 'rule' },
    ]);
  });

  it('reads a document back as the Markdown it came from', () => {
    const markdown =
      '# Rollback\n\n1. roll back\n2. **check** `p99`\n\n```bash\nkubectl rollout undo\n```\n\n> no impact\n\n---\n\nSee [runbook](https://runbooks.acme.example)';
    expect(adfToText(markdownToAdf(markdown))).toBe(markdown);
  });

  it('reads mentions, emoji and unknown nodes without failing', () => {
    expect(
      adfToText({
        type: 'doc',
        version: 1,
        content: [
          {
            type: 'paragraph',
            content: [
              { type: 'mention', attrs: { id: '1', text: '@Alice Nguyen' } },
              text(' fixed it '),
              { type: 'emoji', attrs: { shortName: ':tada:', text: '🎉' } },
            ],
          },
          {
            type: 'panel',
            attrs: { panelType: 'info' },
            content: [{ type: 'paragraph', content: [text('Heads up')] }],
          },
        ],
      }),
    ).toBe('@Alice Nguyen fixed it 🎉\n\nHeads up');
    expect(adfToText(null)).toBe('');
  });
});
