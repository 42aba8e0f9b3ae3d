import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PagerDutyFake, pagerDutySpec, startPagerDutyFake } from './index.ts';

let fake: PagerDutyFake;
const headers = () => ({
  authorization: `Token token=${fake.token}`,
  accept: 'application/vnd.pagerduty+json;version=2',
  'content-type': 'application/json',
});

beforeEach(async () => {
  fake = await startPagerDutyFake();
});
afterEach(async () => {
  await fake.close();
});

describe('pagerduty fake', () => {
  it('types []-parameters as arrays and resolves the acknowledge log-entry contradiction', async () => {
    const doc = await pagerDutySpec();
    const schemas = doc.components!.schemas as Record<string, { allOf: Array<{ properties: { type: unknown } }> }>;
    expect(schemas.AcknowledgeLogEntry!.allOf[1]!.properties.type).toEqual({
      type: 'string',
      enum: ['acknowledge_log_entry'],
    });
    const list = doc.paths['/incidents']!.get as {
      parameters: Array<{ $ref?: string; name?: string; schema?: unknown }>;
    };
    const parameters = doc.components!.parameters as Record<string, { name?: string; schema?: unknown }>;
    const resolved = list.parameters.map((p) => (p.$ref ? parameters[p.$ref.split('/').at(-1)!]! : p));
    const statuses = resolved.find((p) => p.name === 'statuses[]');
    expect(statuses?.schema).toMatchObject({
      type: 'array',
      items: { enum: ['triggered', 'acknowledged', 'resolved'] },
    });
  });

  it('filters incidents by repeated statuses[] and paginates by offset', async () => {
    const response = await fetch(
      `${fake.url}/incidents?statuses[]=triggered&statuses[]=acknowledged&limit=2&total=true`,
      {
        headers: headers(),
      },
    );
    const body = (await response.json()) as { incidents: unknown[]; more: boolean; total: number };
    expect(body).toMatchObject({ more: true, total: 3 });
    expect(body.incidents).toHaveLength(2);
    assertNoViolations(fake);
  });

  it('answers 401 without a token and holds REST writes to the spec', async () => {
    expect((await fetch(`${fake.url}/services`)).status).toBe(401);
    const id = [...fake.state.incidents.keys()][0]!;
    const missingFrom = await fetch(`${fake.url}/incidents/${id}/notes`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ note: { content: 'x' } }),
    });
    expect(missingFrom.status).toBe(400);
    expect(fake.violations.splice(0).map((v) => v.message)).toEqual(['missing required header From']);
  });
});
