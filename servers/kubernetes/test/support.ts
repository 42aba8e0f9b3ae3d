import type { PolicyGate, PolicyViolation } from '@idp-mcp/core';
import { textOf } from '@idp-mcp/testing/mcp';
import type { Client } from '@modelcontextprotocol/client';

/**
 * A small stand-in for the real policy gate: denies privileged containers and quotas over 16 CPUs, warns on images
 * tagged latest. Records every set of documents it was asked about.
 */
// biome-ignore lint/suspicious/noExplicitAny: the stub reads manifests field by field, as Rego would
type Doc = any;

export function stubGate(): PolicyGate & { checked: unknown[][] } {
  const checked: unknown[][] = [];
  return {
    checked,
    async check(domain, documents) {
      checked.push(documents);
      const violations: PolicyViolation[] = [];
      for (const document of documents as Doc[]) {
        const resource = `${document.kind}/${document.metadata?.namespace ?? ''}/${document.metadata?.name}`;
        const podSpec = document.kind === 'Pod' ? document.spec : document.spec?.template?.spec;
        for (const [index, container] of ((podSpec?.containers ?? []) as Doc[]).entries()) {
          if (container.securityContext?.privileged === true) {
            violations.push({
              rule: 'k8s.no_privileged',
              severity: 'deny',
              message: 'privileged containers are not allowed',
              resource,
              field: `spec.template.spec.containers[${index}].securityContext.privileged`,
            });
          }
          if (typeof container.image === 'string' && container.image.endsWith(':latest')) {
            violations.push({ rule: 'k8s.no_latest_tag', severity: 'warn', message: 'pin the image tag', resource });
          }
        }
        const cpu = document.kind === 'ResourceQuota' ? Number(document.spec?.hard?.['requests.cpu']) : 0;
        if (cpu > 16) {
          violations.push({
            rule: 'k8s.quota_cap',
            severity: 'deny',
            message: 'quota above 16 CPUs needs approval',
            resource,
          });
        }
      }
      return {
        allowed: !violations.some((v) => v.severity === 'deny'),
        violations,
        gate: `stub (${domain})`,
      };
    },
  };
}

export async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const meta = result._meta?.['idp-mcp/error'] as { code?: string; retryable?: boolean; details?: unknown } | undefined;
  return {
    text: textOf(result),
    isError: result.isError === true,
    code: meta?.code,
    meta,
    // biome-ignore lint/suspicious/noExplicitAny: assertions read the structured result freely
    data: result.structuredContent as Record<string, any>,
  };
}
