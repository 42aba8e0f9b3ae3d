import { type ErrorCode, redactText, ToolError } from '@idp-mcp/core';
import type { Row } from './db.ts';
import type { Json, Run, RunStatus, StepRecord, StepStatus } from './types.ts';

// Rows as records, and the JSON and error text both the storage and the step runner write.

/** The error a canceled run is stored with (status `failed`): see RunStatus. */
export const CANCELED = 'canceled: ';

export function toRun(row: Row): Run {
  return {
    id: String(row.id),
    planId: String(row.plan_id),
    kind: String(row.kind),
    caller: String(row.caller),
    appliedBy: String(row.applied_by),
    status: (row.status === 'failed' && String(row.error).startsWith(CANCELED) ? 'canceled' : row.status) as RunStatus,
    error: row.error == null ? null : String(row.error),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    finishedAt: iso(row.finished_at),
    leaseExpiresAt: iso(row.lease_expires_at),
  };
}

export function toStep(row: Row): StepRecord {
  return {
    index: Number(row.idx),
    name: String(row.name),
    description: String(row.description),
    status: String(row.status) as StepStatus,
    attempts: Number(row.attempts),
    output: row.output == null ? null : parseJson(row.output),
    error: row.error == null ? null : String(row.error),
    errorCode: row.error_code == null ? null : (String(row.error_code) as ErrorCode),
    undoError: row.undo_error == null ? null : String(row.undo_error),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

export function iso(value: unknown): string | null {
  return value == null ? null : new Date(Number(value)).toISOString();
}

/** A JSON copy of a value (undefined becomes null); a clear error when it is not serialisable. */
export function toJson(value: unknown, what: string): Json {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as Json);
  } catch (error) {
    throw new ToolError('invalid_request', `${what} is not JSON: ${errorMessage(error)}`);
  }
}

export function parseJson(value: unknown): Json {
  return JSON.parse(String(value)) as Json;
}

export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactText(message || 'unknown error');
}
