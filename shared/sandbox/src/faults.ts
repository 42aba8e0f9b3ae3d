// Faults a test injects into the next matching requests: an error status, a slow answer, or both.

export interface FaultSpec {
  /** Only requests with this method (any when omitted). */
  method?: string;
  /** Only requests whose path (without query) equals this string or matches this pattern (any when omitted). */
  path?: string | RegExp;
  /** The status to answer; omit to answer normally after `delayMs`. */
  status?: number;
  headers?: Record<string, string>;
  /** The body to answer; by default the fake's realistic error body for `status`. */
  body?: unknown;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Wait this long before answering, e.g. longer than the client's timeout. */
  delayMs?: number;
}

interface ArmedFault extends FaultSpec {
  remaining: number;
}

export class FaultQueue {
  private readonly armed: ArmedFault[] = [];

  add(fault: FaultSpec): void {
    this.armed.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** The first armed fault that matches, consuming one of its uses. */
  take(method: string, path: string): FaultSpec | undefined {
    const index = this.armed.findIndex((f) => matches(f, method, path));
    if (index < 0) return undefined;
    const fault = this.armed[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.armed.splice(index, 1);
    return fault;
  }

  get pending(): number {
    return this.armed.length;
  }

  clear(): void {
    this.armed.length = 0;
  }
}

function matches(fault: FaultSpec, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? fault.path === path : fault.path.test(path);
}
