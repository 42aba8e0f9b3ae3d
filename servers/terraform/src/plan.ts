/**
 * Terraform's JSON output format (`terraform show -json`, format_version 1.x) summarised for a model: what a plan
 * adds, changes, replaces (and why) and destroys, and what a state holds, with every value Terraform marks
 * sensitive masked. https://developer.hashicorp.com/terraform/internals/json-format
 */

export const SENSITIVE = '(sensitive)';
export const UNKNOWN = '(known after apply)';
/** Longer strings in a summarised value are cut: a model reads the shape, not a policy document's full text. */
const MAX_STRING = 300;

export interface ResourceChangeJson {
  address: string;
  module_address?: string;
  mode?: 'managed' | 'data';
  type: string;
  name: string;
  action_reason?: string;
  change: {
    actions: string[];
    before?: unknown;
    after?: unknown;
    after_unknown?: unknown;
    before_sensitive?: unknown;
    after_sensitive?: unknown;
    replace_paths?: unknown[][];
  };
}

export interface PlanJson {
  format_version?: string;
  terraform_version?: string;
  resource_changes?: ResourceChangeJson[];
  resource_drift?: ResourceChangeJson[];
  output_changes?: Record<
    string,
    { actions: string[]; after?: unknown; after_sensitive?: unknown; after_unknown?: unknown }
  >;
  errored?: boolean;
  variables?: Record<string, { value?: unknown }>;
  configuration?: { root_module?: { variables?: Record<string, { sensitive?: boolean }> } };
}

export interface StateResourceJson {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  index?: string | number;
  provider_name?: string;
  values?: Record<string, unknown>;
  sensitive_values?: Record<string, unknown>;
}

interface ModuleJson {
  resources?: StateResourceJson[];
  child_modules?: ModuleJson[];
}

export interface StateJson {
  format_version?: string;
  terraform_version?: string;
  values?: { outputs?: Record<string, OutputJson>; root_module?: ModuleJson };
}

export interface OutputJson {
  sensitive: boolean;
  type?: unknown;
  value?: unknown;
}

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'read';

export interface ChangeSummary {
  address: string;
  action: Action;
  type: string;
  /** Changed attributes: before and after, sensitive values masked, unknown ones as "(known after apply)". */
  changed?: Record<string, { before: unknown; after: unknown }>;
  /** Why a resource is replaced: Terraform's reason and the attributes that force it. */
  replace_because?: string;
}

export function actionOf(actions: string[]): Action | undefined {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  const [first] = actions;
  return first === 'create' || first === 'update' || first === 'delete' || first === 'read' ? first : undefined;
}

const REASONS: Record<string, string> = {
  replace_because_tainted: 'the resource is tainted',
  replace_because_cannot_update: 'a changed attribute cannot be updated in place',
  replace_by_request: 'replacement was requested (-replace)',
  replace_by_triggers: 'replace_triggered_by (or triggers_replace) changed',
};

/** A replace path ([["input", "name"], ["tags", 0]]) as text: input.name, tags[0]. */
function pathText(path: unknown[]): string {
  return path.map((step, index) => (typeof step === 'number' ? `[${step}]` : index === 0 ? step : `.${step}`)).join('');
}

/**
 * Every string leaf Terraform marks sensitive in a value: registered as secrets, so that the same value is masked
 * where Terraform does not mark it (a provider copying a sensitive input into a computed attribute).
 */
export function sensitiveStrings(value: unknown, sensitive: unknown, into: string[] = []): string[] {
  if (sensitive === true) {
    const walk = (v: unknown) => {
      if (typeof v === 'string') into.push(v);
      else if (v && typeof v === 'object') for (const item of Object.values(v)) walk(item);
    };
    walk(value);
  } else if (sensitive && typeof sensitive === 'object' && value && typeof value === 'object') {
    for (const [key, mask] of Object.entries(sensitive)) {
      sensitiveStrings((value as Record<string, unknown>)[key], mask, into);
    }
  }
  return into;
}

/** The sensitive strings of a plan: resource values before and after, outputs, and sensitive variables. */
export function planSensitiveStrings(plan: PlanJson): string[] {
  const out: string[] = [];
  for (const rc of [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])]) {
    sensitiveStrings(rc.change.before, rc.change.before_sensitive, out);
    sensitiveStrings(rc.change.after, rc.change.after_sensitive, out);
  }
  for (const change of Object.values(plan.output_changes ?? {}))
    sensitiveStrings(change.after, change.after_sensitive, out);
  const declared = plan.configuration?.root_module?.variables ?? {};
  for (const [name, variable] of Object.entries(plan.variables ?? {})) {
    if (declared[name]?.sensitive) sensitiveStrings(variable.value, true, out);
  }
  return out;
}

/** A value with Terraform's sensitivity mask applied (true masks the value; objects and arrays mask per key). */
export function masked(value: unknown, sensitive: unknown, unknown: unknown = false): unknown {
  if (unknown === true) return UNKNOWN;
  if (sensitive === true) return SENSITIVE;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (Array.isArray(value)) {
    return value.map((item, index) =>
      masked(
        item,
        Array.isArray(sensitive) ? sensitive[index] : false,
        Array.isArray(unknown) ? unknown[index] : false,
      ),
    );
  }
  if (value !== null && typeof value === 'object') {
    const sensitiveKeys = (sensitive && typeof sensitive === 'object' ? sensitive : {}) as Record<string, unknown>;
    const unknownKeys = (unknown && typeof unknown === 'object' ? unknown : {}) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        masked(item, sensitiveKeys[key], unknownKeys[key]),
      ]),
    );
  }
  return value;
}

const field = (value: unknown, key: string): unknown =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

/** One resource change, summarised. */
export function summariseChange(rc: ResourceChangeJson): ChangeSummary | undefined {
  const action = actionOf(rc.change.actions);
  if (!action) return undefined;
  const summary: ChangeSummary = { address: rc.address, action, type: rc.type };
  if (action === 'update' || action === 'replace') {
    const { before, after, after_unknown, before_sensitive, after_sensitive } = rc.change;
    const keys = new Set([
      ...Object.keys((before ?? {}) as object),
      ...Object.keys((after ?? {}) as object),
      ...Object.keys((after_unknown ?? {}) as object),
    ]);
    const changed: Record<string, { before: unknown; after: unknown }> = {};
    for (const key of [...keys].sort()) {
      const unknownAfter = field(after_unknown, key);
      if (JSON.stringify(field(before, key)) === JSON.stringify(field(after, key)) && unknownAfter !== true) continue;
      changed[key] = {
        before: masked(field(before, key), field(before_sensitive, key)),
        after: masked(field(after, key), field(after_sensitive, key), unknownAfter),
      };
    }
    if (Object.keys(changed).length > 0) summary.changed = changed;
  }
  if (action === 'replace') {
    const reason = (rc.action_reason && REASONS[rc.action_reason]) || 'Terraform must replace it';
    const paths = (rc.change.replace_paths ?? []).map(pathText);
    summary.replace_because = paths.length > 0 ? `${reason}: ${paths.join(', ')}` : reason;
  }
  return summary;
}

export interface PlanSummary {
  counts: { add: number; change: number; replace: number; destroy: number; read: number };
  changes: ChangeSummary[];
  outputs: Array<{ name: string; action: Action; after?: unknown }>;
  /** Resources changed outside Terraform since the last apply. */
  drift: string[];
}

export function summarisePlan(plan: PlanJson): PlanSummary {
  const changes = (plan.resource_changes ?? [])
    .map(summariseChange)
    .filter((change): change is ChangeSummary => change !== undefined);
  const count = (action: Action) => changes.filter((change) => change.action === action).length;
  const outputs = Object.entries(plan.output_changes ?? {}).flatMap(([name, change]) => {
    const action = actionOf(change.actions);
    if (!action) return [];
    return [
      {
        name,
        action,
        ...(action === 'delete' ? {} : { after: masked(change.after, change.after_sensitive, change.after_unknown) }),
      },
    ];
  });
  return {
    counts: {
      add: count('create'),
      change: count('update'),
      replace: count('replace'),
      destroy: count('delete'),
      read: count('read'),
    },
    changes,
    outputs,
    drift: (plan.resource_drift ?? []).map((rc) => rc.address),
  };
}

/** Every resource in a state, child modules included, in state order. */
export function stateResources(state: StateJson): StateResourceJson[] {
  const out: StateResourceJson[] = [];
  const walk = (module: ModuleJson | undefined) => {
    if (!module) return;
    out.push(...(module.resources ?? []));
    for (const child of module.child_modules ?? []) walk(child);
  };
  walk(state.values?.root_module);
  return out;
}

/** Outputs with sensitive values masked. */
export function maskedOutputs(
  outputs: Record<string, OutputJson>,
): Array<{ name: string; sensitive: boolean; value: unknown }> {
  return Object.entries(outputs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, output]) => ({
      name,
      sensitive: output.sensitive,
      value: output.sensitive ? SENSITIVE : masked(output.value, false),
    }));
}
