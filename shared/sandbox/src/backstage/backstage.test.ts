import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackstageFake, backstageSpec, startBackstageFake } from './index.ts';

let fake: BackstageFake;
const headers = () => ({ authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' });

beforeEach(async () => {
  fake = await startBackstageFake();
});
afterEach(async () => {
  await fake.close();
});

describe('backstage fake', () => {
  it('merges the catalog and scaffolder documents under /api/<plugin> with namespaced components', async () => {
    const doc = await backstageSpec();
    expect(Object.keys(doc.paths)).toContain('/api/catalog/entities/by-query');
    expect(Object.keys(doc.paths)).toContain('/api/scaffolder/v2/tasks');
    expect(Object.keys(doc.components!.schemas!)).toContain('catalog_Entity');
    expect(Object.keys(doc.components!.schemas!)).toContain('scaffolder_SerializedTask');
  });

  it('answers the catalog filter language and its cursor', async () => {
    const first = await fetch(
      `${fake.url}/api/catalog/entities/by-query?filter=kind=user&orderField=metadata.name,asc&limit=1&fields=kind,apiVersion,metadata.name`,
      {
        headers: headers(),
      },
    );
    const page = (await first.json()) as {
      items: Array<{ metadata: { name: string } }>;
      pageInfo: { nextCursor: string };
    };
    expect(page.items).toEqual([{ kind: 'User', apiVersion: 'backstage.io/v1alpha1', metadata: { name: 'alice' } }]);
    const next = await fetch(`${fake.url}/api/catalog/entities/by-query?cursor=${page.pageInfo.nextCursor}&limit=1`, {
      headers: headers(),
    });
    expect(((await next.json()) as { items: Array<{ metadata: { name: string } }> }).items[0]!.metadata.name).toBe(
      'bob',
    );
    assertNoViolations(fake);
  });

  it('answers 401 without a token and holds requests to the published documents', async () => {
    const anonymous = await fetch(`${fake.url}/api/catalog/entities/by-query`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({
      error: { name: 'AuthenticationError' },
      response: { statusCode: 401 },
    });
    const bad = await fetch(`${fake.url}/api/scaffolder/v2/tasks`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ templateRef: 'template:default/service-template' }),
    });
    expect(bad.status).toBe(400);
    expect(fake.violations.splice(0).map((v) => v.where)).toEqual(['request.body']);
  });
});
