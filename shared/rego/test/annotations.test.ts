import { describe, expect, it } from 'vitest';
import { compile, RegoCompileError } from '../src/index.ts';

describe('METADATA annotations', () => {
  it('attaches blocks to the package and rules that follow, with all YAML fields', () => {
    const policy = compile([
      {
        path: 'labels.rego',
        source: `# METADATA
# title: Label policies
# description: Labels every workload needs.
package kubernetes.labels

# METADATA
# title: Owner label
# description: |
#   Every workload names its owning team.
# related_resources:
#   - https://example.com/labels
# custom:
#   id: LBL-1
#   severity: medium
#   tags: [ownership]
deny contains "missing owner" if not input.metadata.labels.owner

# an ordinary comment
allow := count(deny) == 0
`,
      },
    ]);
    const [pkg, rule] = policy.annotations();
    expect(pkg).toMatchObject({
      scope: 'package',
      path: 'data.kubernetes.labels',
      location: { file: 'labels.rego', line: 1, col: 1 },
      title: 'Label policies',
    });
    expect(rule).toMatchObject({
      scope: 'rule',
      path: 'data.kubernetes.labels.deny',
      location: { line: 6 },
      description: 'Every workload names its owning team.\n',
      custom: { id: 'LBL-1', severity: 'medium', tags: ['ownership'] },
      fields: { related_resources: ['https://example.com/labels'] },
    });
    expect(policy.annotations()).toHaveLength(2);
  });

  it('keeps an explicit scope and annotates ref-head rules by their full path', () => {
    const policy = compile([
      {
        path: 'a.rego',
        source: 'package a\n\n# METADATA\n# scope: document\n# title: Q\nq.r.s := 1\n',
      },
    ]);
    expect(policy.annotations()).toEqual([
      expect.objectContaining({ scope: 'document', path: 'data.a.q.r.s', title: 'Q' }),
    ]);
  });

  it('serves rego.metadata.rule() and rego.metadata.chain() to the annotated rule', () => {
    const policy = compile([
      {
        path: 'm.rego',
        source: `# METADATA
# description: Image rules
package images

# METADATA
# title: No latest tag
# custom:
#   id: IMG-1
deny contains msg if {
  some image in input.images
  endswith(image, ":latest")
  msg := sprintf("%s: %s uses latest", [rego.metadata.rule().custom.id, image])
}

chain := rego.metadata.chain()
`,
      },
    ]);
    expect(policy.evalRule('data.images.deny', { input: { images: ['a:latest', 'b:1'] } })).toEqual([
      'IMG-1: a:latest uses latest',
    ]);
    expect(policy.evalRule('data.images.chain')).toEqual([
      { path: ['images', 'chain'] },
      { annotations: { description: 'Image rules', scope: 'package' }, path: ['images'] },
    ]);
  });

  it('reports invalid YAML as a compile error', () => {
    expect(() =>
      compile([{ path: 'bad.rego', source: 'package a\n# METADATA\n# title: [unclosed\np := 1\n' }]),
    ).toThrow(RegoCompileError);
  });
});
