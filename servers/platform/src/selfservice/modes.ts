import { ToolError } from '@idp-mcp/core';
import { TOOLS } from './handles.ts';
import type { StepSpec } from './steps.ts';

/** A mounted integration as plans see it: live or sandboxed, and what to set to make it live. */
export interface IntegrationMode {
  name: string;
  mode: string;
  /** The variables that make it live, e.g. ['SLACK_BOT_TOKEN']. */
  variables: string[];
}

export interface PlannedStep {
  name: string;
  description: string;
  integration: string;
  mode: string;
}

const SERVER_OF = new Map(Object.values(TOOLS).map((handle) => [handle.name, handle.server]));

/** Each step with the integration it writes to and whether that integration is live or sandboxed. */
export function plannedSteps(steps: StepSpec[], integrations: IntegrationMode[]): PlannedStep[] {
  return steps.map((step) => {
    const integration = SERVER_OF.get(step.call.tool) ?? step.call.tool.split('_')[0]!;
    const mode = integrations.find((candidate) => candidate.name === integration)?.mode ?? 'unavailable';
    return { name: step.name, description: step.description, integration, mode };
  });
}

/**
 * Refuses a plan whose steps would go partly to real systems and partly to in-memory fakes: applied, it would
 * leave real changes behind next to ones that vanish, so the user is told which variables make the rest live.
 */
export function assertNotMixed(tool: string, steps: PlannedStep[], integrations: IntegrationMode[]): void {
  const byMode = (mode: string) => [...new Set(steps.filter((step) => step.mode === mode).map((s) => s.integration))];
  const live = byMode('live');
  const sandboxed = byMode('sandbox');
  if (live.length === 0 || sandboxed.length === 0) return;
  const toSet = sandboxed.map((name) => {
    const variables = integrations.find((candidate) => candidate.name === name)?.variables ?? [];
    return `${name}: ${variables.length > 0 ? variables.join(', ') : `its credentials (idp-mcp ${name} --help)`}`;
  });
  throw new ToolError(
    'invalid_request',
    `${tool} would mix live and sandboxed integrations: ${live.join(', ')} live, ${sandboxed.join(', ')} sandboxed (in-memory fakes whose changes vanish); nothing was planned`,
    {
      hint: `set the variables that make them live (${toSet.join('; ')}), or leave them out with PLATFORM_INTEGRATIONS, or set PLATFORM_ALLOW_MIXED=true for a demo`,
      retryable: false,
    },
  );
}
