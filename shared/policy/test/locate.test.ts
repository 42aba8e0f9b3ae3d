import { describe, expect, it } from 'vitest';
import { createLocator, fieldSegments } from '../src/locate.ts';

describe('finding lines', () => {
  it('splits field paths, quoted keys included', () => {
    expect(fieldSegments('metadata.labels["app.kubernetes.io/name"]')).toEqual([
      'metadata',
      'labels',
      'app.kubernetes.io/name',
    ]);
    expect(fieldSegments('spec.template.spec.containers[1].image')).toEqual([
      'spec',
      'template',
      'spec',
      'containers',
      1,
      'image',
    ]);
    expect(fieldSegments('jobs.build.timeout-minutes')).toEqual(['jobs', 'build', 'timeout-minutes']);
  });

  it('finds the field, or its nearest present parent, in the right YAML document', () => {
    const text = [
      'kind: ConfigMap',
      '---',
      'kind: Deployment',
      'metadata:',
      '  labels:',
      '    app.kubernetes.io/name: api',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: a',
      '        - name: b',
      '          image: nginx',
      '',
    ].join('\n');
    const locate = createLocator(text, 'yaml');
    expect(locate(1, 'spec.template.spec.containers[1].image')).toBe(13);
    expect(locate(1, 'spec.template.spec.containers[1].securityContext.runAsNonRoot')).toBe(12);
    expect(locate(1, 'metadata.labels["app.kubernetes.io/name"]')).toBe(6);
    expect(locate(1, 'metadata.labels["team"]')).toBe(5);
    expect(locate(0, 'data')).toBe(1);
    expect(locate(5, 'data')).toBeUndefined();
  });

  it('finds fields in a Terraform plan (JSON) and in HCL', () => {
    const plan = JSON.stringify(
      { resource_changes: [{ address: 'a' }, { address: 'b', change: { after: { publicly_accessible: true } } }] },
      null,
      2,
    );
    expect(createLocator(plan, 'json')(0, 'resource_changes[1].change.after.publicly_accessible')).toBe(
      plan.split('\n').findIndex((l) => l.includes('publicly_accessible')) + 1,
    );
    const hcl =
      'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n\nresource "aws_db_instance" "db" {\n  engine = "postgres"\n  publicly_accessible = true\n}\n';
    const locate = createLocator(hcl, 'hcl');
    expect(locate(0, 'resource.aws_db_instance.db.publicly_accessible')).toBe(7);
    expect(locate(0, 'resource.aws_db_instance.db.tags')).toBe(5);
    expect(locate(0, 'resource.aws_db_instance.nope.tags')).toBeUndefined();
  });
});
