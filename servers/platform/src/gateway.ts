import {
  type AnyTool,
  argumentsProblem,
  type Logger,
  type PolicyVerdict,
  type ToolContext,
  ToolError,
  type ToolInterceptor,
  toolErrorOf,
  toolErrorResult,
} from '@idp-mcp/core';
import type { Store } from '@idp-mcp/store';
import type { CallToolResult } from '@modelcontextprotocol/server';

/**
 * The one place every platform call passes, direct or through call_tool (the tier and argument checks happen in
 * runTool behind it): a rate limit per caller, per-tool metrics, and an audit record for every write and every
 * reveal of secret values. That record is written before the call runs: a call whose record the store refuses
 * does not run. Its outcome is added after.
 */
/** Where audit records go: the durable store. */
export type AuditSink = Pick<Store, 'recordAudit' | 'finishAudit'>;

export interface RunFields {
  planId: string;
  runId: string;
  verdict: PolicyVerdict | null;
}

export interface ToolMetrics {
  calls: number;
  errors: number;
  rateLimited: number;
  totalMs: number;
  maxMs: number;
}

export interface GatewayOptions {
  callsPerMinute: number;
  audit: AuditSink;
  log: Logger;
  now?: () => number;
}

/** Tools that only dispatch to another tool: the inner call is the one limited, audited and measured. */
const DISPATCHERS = new Set(['call_tool']);

export class Gateway {
  readonly intercept: ToolInterceptor;
  /**
   * For the platform's own calls on a caller's behalf (a composite's reads and steps): audited and measured like
   * any call, and tier-checked as the caller behind it (runTool), but not rate-limited: the caller's one call to
   * the composite was.
   */
  readonly internal: ToolInterceptor;
  private readonly unlimited = new WeakSet<ToolContext>();
  /** What a self-service step's calls add to their audit records: the plan, the run and the plan's verdict. */
  private readonly runOf = new WeakMap<ToolContext, RunFields>();
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();
  private readonly perTool = new Map<string, ToolMetrics>();
  private readonly options: GatewayOptions;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.intercept = async ({ tool, args, ctx }, next) => {
      if (DISPATCHERS.has(tool.name)) return next();
      const metrics = this.metricsFor(tool.name);
      const wait = this.unlimited.has(ctx) ? undefined : this.take(ctx.caller.id);
      if (wait !== undefined) {
        metrics.rateLimited++;
        return toolErrorResult(
          new ToolError(
            'rate_limited',
            `${ctx.caller.id} made more than ${this.options.callsPerMinute} calls a minute`,
            {
              retryAfterSeconds: wait,
            },
          ),
        );
      }
      let audit: number | undefined;
      if (tool.tier !== 'read' || tool.reveals) {
        try {
          audit = (
            await this.options.audit.recordAudit({
              caller: ctx.caller.id,
              tool: tool.name,
              args: argumentsForAudit(tool, args),
              result: 'started',
              ...this.runOf.get(ctx),
              ...planFields(args),
            })
          ).seq;
        } catch (error) {
          this.options.log.error('audit record could not be written; the call was refused', {
            tool: tool.name,
            error: String(error),
          });
          metrics.calls++;
          metrics.errors++;
          return toolErrorResult(
            new ToolError(
              'upstream_unavailable',
              `${tool.name} did not run: its audit record could not be written, and nothing runs unrecorded; nothing changed`,
              {
                upstream: 'the audit store',
                hint: 'retry once the state store (DATABASE_URL or IDP_MCP_STATE) accepts writes again',
              },
            ),
          );
        }
      }
      const started = performance.now();
      const result = await next();
      const durationMs = Math.round(performance.now() - started);
      metrics.calls++;
      metrics.totalMs += durationMs;
      metrics.maxMs = Math.max(metrics.maxMs, durationMs);
      const error = toolErrorOf(result);
      if (error) metrics.errors++;
      if (audit !== undefined) {
        await this.finishAudit(audit, tool.name, {
          result: error ? 'error' : 'ok',
          ...(error ? { error: `${error.code}: ${error.message}` } : {}),
          ...this.runOf.get(ctx),
          ...planFields(args, result),
        });
      }
      return result;
    };
    this.internal = (call, next) => {
      this.unlimited.add(call.ctx);
      return this.intercept(call, next);
    };
  }

  /** The internal interceptor for a self-service run's steps: their audit records carry the run's plan, id and verdict. */
  forRun(fields: RunFields): ToolInterceptor {
    return (call, next) => {
      this.runOf.set(call.ctx, fields);
      return this.internal(call, next);
    };
  }

  metrics(): Record<string, ToolMetrics> {
    return Object.fromEntries([...this.perTool.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  private async finishAudit(seq: number, tool: string, outcome: Parameters<AuditSink['finishAudit']>[1]) {
    try {
      await this.options.audit.finishAudit(seq, outcome);
    } catch (error) {
      // The call has run and its intent is on record (as started); losing the outcome must be loud, not fatal.
      this.options.log.error('audit outcome could not be written', { tool, seq, error: String(error) });
    }
  }

  /** Token bucket per caller; returns the seconds to wait when empty. */
  private take(caller: string): number | undefined {
    const capacity = this.options.callsPerMinute;
    const perMs = capacity / 60_000;
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: capacity, updated: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updated) * perMs);
    bucket.updated = now;
    this.buckets.set(caller, bucket);
    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) / perMs / 1000);
    bucket.tokens -= 1;
    return undefined;
  }

  private metricsFor(tool: string): ToolMetrics {
    let metrics = this.perTool.get(tool);
    if (!metrics) {
      metrics = { calls: 0, errors: 0, rateLimited: 0, totalMs: 0, maxMs: 0 };
      this.perTool.set(tool, metrics);
    }
    return metrics;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/**
 * The arguments as the audit log keeps them (the store then masks secret-looking keys and registered values):
 * the tool's own view when it has one (auditArgs), never arguments too deep or large to store safely (runTool
 * refuses those calls).
 */
function argumentsForAudit(tool: AnyTool, args: Record<string, unknown>): unknown {
  const problem = argumentsProblem(args);
  if (problem) return { withheld: `arguments refused unrecorded: ${problem}` };
  try {
    return tool.auditArgs ? tool.auditArgs(args) : args;
  } catch {
    return { withheld: `${tool.name}'s arguments could not be prepared for the audit log` };
  }
}

function planFields(
  args: Record<string, unknown>,
  result?: CallToolResult,
): { planId?: string; verdict?: PolicyVerdict } {
  const output = (result?.structuredContent ?? {}) as Record<string, unknown>;
  // args is what the client sent, not always an object (runTool refuses that call).
  const planId = output.plan_id ?? (args as Partial<Record<string, unknown>> | null)?.plan_id;
  return {
    ...(typeof planId === 'string' ? { planId } : {}),
    ...(output.verdict !== undefined ? { verdict: output.verdict as PolicyVerdict } : {}),
  };
}
