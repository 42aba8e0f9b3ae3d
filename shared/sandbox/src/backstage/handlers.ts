// The catalog and scaffolder operations the fake implements, by the published operationIds, with Backstage's
// conventions: `Authorization: Bearer`, `{ error: { name, message }, request, response }` errors, the catalog's
// filter / fields / cursor query language, and scaffolder tasks that advance one step each time they are polled.
import { randomUUID } from 'node:crypto';
import { FakeHttpError, type FakeOperation, type FakeRequest, type FakeResponse } from '../server.ts';
import { type BackstageState, type Entity, entityRef, parseRef, type Task, type TaskEvent } from './state.ts';

const ERROR_NAMES: Record<number, string> = {
  400: 'InputError',
  401: 'AuthenticationError',
  403: 'NotAllowedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  429: 'TooManyRequestsError',
  500: 'Error',
  502: 'Error',
  503: 'ServiceUnavailableError',
};

export function errorBody(status: number, message?: string, request?: { method: string; path: string }) {
  return {
    error: { name: ERROR_NAMES[status] ?? 'Error', message: message ?? ERROR_NAMES[status] ?? 'Error' },
    request: { method: request?.method ?? 'GET', url: request?.path ?? '/' },
    response: { statusCode: status },
  };
}

function fail(request: FakeRequest, status: number, message: string): FakeHttpError {
  return new FakeHttpError(status, errorBody(status, message, request));
}

function tokenOf(request: FakeRequest): string | undefined {
  return /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

export function authenticate(state: BackstageState, request: FakeRequest): FakeResponse | undefined {
  const token = tokenOf(request);
  if (token === undefined) return { status: 401, body: errorBody(401, 'Missing credentials', request) };
  if (!state.tokens.has(token)) return { status: 401, body: errorBody(401, 'Illegal token', request) };
  return undefined;
}

function caller(state: BackstageState, request: FakeRequest, write: boolean): string {
  const identity = state.tokens.get(tokenOf(request)!)!;
  if (write && !identity.write) throw fail(request, 403, `${identity.user} is not allowed to perform this action`);
  return identity.user;
}

function values(request: FakeRequest, key: string): string[] {
  const value = request.query[key];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The catalog's search table: every simplified JSON path of an entity with its values, lower-cased. */
function searchable(entity: Entity): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (key: string, value: string) => out.set(key, [...(out.get(key) ?? []), value.toLowerCase()]);
  const walk = (node: unknown, path: string) => {
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      for (const item of node) {
        if (typeof item === 'object') walk(item, path);
        else {
          add(path, String(item));
          add(`${path}.${String(item).toLowerCase()}`, 'true');
        }
      }
      return;
    }
    if (typeof node === 'object') {
      for (const [key, value] of Object.entries(node))
        walk(value, path ? `${path}.${key.toLowerCase()}` : key.toLowerCase());
      return;
    }
    add(path, String(node));
  };
  walk({ ...entity, relations: undefined }, '');
  for (const relation of entity.relations ?? []) add(`relations.${relation.type.toLowerCase()}`, relation.targetRef);
  return out;
}

function matchesFilter(table: Map<string, string[]>, filter: string): boolean {
  return filter.split(',').every((condition) => {
    const [key, ...rest] = condition.split('=');
    const present = table.get(key!.trim().toLowerCase());
    if (rest.length === 0) return present !== undefined;
    return present?.includes(rest.join('=').trim().toLowerCase()) ?? false;
  });
}

function pick(entity: Entity, fields: string[]): Entity {
  if (fields.length === 0) return entity;
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const parts = field.split('.');
    let source: unknown = entity;
    for (const part of parts) source = (source as Record<string, unknown> | undefined)?.[part];
    if (source === undefined) continue;
    let target = out;
    for (const part of parts.slice(0, -1)) {
      target[part] ??= {};
      target = target[part] as Record<string, unknown>;
    }
    target[parts.at(-1)!] = source;
  }
  return out as unknown as Entity;
}

function fieldValue(entity: Entity, path: string): string {
  let node: unknown = entity;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === 'string' ? node : '';
}

interface QueryPosition {
  filter: string[];
  orderField: string[];
  term?: string;
  termFields: string[];
  offset: number;
}

const encode = (position: QueryPosition) => Buffer.from(JSON.stringify(position)).toString('base64url');

function decode(request: FakeRequest, cursor: string): QueryPosition {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as QueryPosition;
  } catch {
    throw fail(request, 400, 'Malformed cursor, could not be parsed');
  }
}

function stepList(template: Entity): Array<{ id: string; name: string; action: string }> {
  return ((template.spec?.steps ?? []) as Array<{ id: string; name: string; action: string }>).map((s) => ({
    id: s.id,
    name: s.name,
    action: s.action,
  }));
}

type StepSchema = { title?: string; required?: string[]; properties?: Record<string, Record<string, unknown>> };

/** The scaffolder validates values against every parameter step (jsonschema's ValidationError shape). */
function validateValues(template: Entity, input: Record<string, unknown>) {
  const errors: Array<Record<string, unknown>> = [];
  for (const step of (template.spec?.parameters ?? []) as StepSchema[]) {
    for (const required of step.required ?? []) {
      if (input[required] === undefined || input[required] === '') {
        errors.push({
          path: [],
          property: 'instance',
          message: `requires property "${required}"`,
          schema: step,
          instance: input,
          name: 'required',
          argument: required,
          stack: `instance requires property "${required}"`,
        });
      }
    }
    for (const [key, schema] of Object.entries(step.properties ?? {})) {
      const value = input[key];
      if (value === undefined) continue;
      const pattern = schema.pattern as string | undefined;
      if (schema.type === 'string' && (typeof value !== 'string' || (pattern && !new RegExp(pattern).test(value)))) {
        const why = typeof value !== 'string' ? 'is not of a type(s) string' : `does not match pattern "${pattern}"`;
        errors.push({
          path: [key],
          property: `instance.${key}`,
          message: why,
          schema,
          instance: value,
          name: typeof value !== 'string' ? 'type' : 'pattern',
          argument: typeof value !== 'string' ? ['string'] : pattern,
          stack: `instance.${key} ${why}`,
        });
      }
      const allowed = schema.enum as unknown[] | undefined;
      if (allowed && !allowed.includes(value)) {
        errors.push({
          path: [key],
          property: `instance.${key}`,
          message: `is not one of enum values: ${allowed.join(',')}`,
          schema,
          instance: value,
          name: 'enum',
          argument: allowed,
          stack: `instance.${key} is not one of enum values: ${allowed.join(',')}`,
        });
      }
    }
  }
  return errors;
}

export function backstageOperations(state: BackstageState): Record<string, FakeOperation> {
  const serializeTask = (task: Task) => ({
    id: task.id,
    spec: {
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      templateInfo: { entityRef: task.templateRef },
      parameters: task.values,
      steps: stepList(state.get(task.templateRef)!),
      user: { ref: task.createdBy },
    },
    status: task.status,
    createdAt: task.createdAt,
    ...(task.lastHeartbeatAt ? { lastHeartbeatAt: task.lastHeartbeatAt } : {}),
    createdBy: task.createdBy,
  });

  /** Each poll releases the next step's events; the task's status follows what has been released. */
  const advance = (task: Task) => {
    if (task.status === 'cancelled' || task.released >= task.script.length) return;
    const next = task.script.findIndex(
      (event, index) => index > task.released && event.type === 'log' && /^Beginning step/.test(event.body.message),
    );
    task.released = next < 0 ? task.script.length : next;
    task.lastHeartbeatAt = state.timestamp();
    const last = task.script[task.released - 1];
    if (last?.type === 'completion') {
      task.status = last.body.status === 'failed' ? 'failed' : 'completed';
      if (task.status === 'completed') task.onComplete?.();
    } else {
      task.status = 'processing';
    }
  };

  const taskOf = (request: FakeRequest): Task => {
    const task = state.tasks.get(request.params.taskId!);
    if (!task) throw fail(request, 404, `Task with id ${request.params.taskId} does not exist`);
    return task;
  };

  return {
    GetEntitiesByQuery: {
      route: 'GET /api/catalog/entities/by-query',
      handle: ({ request }) => {
        caller(state, request, false);
        const cursor = typeof request.query.cursor === 'string' ? request.query.cursor : undefined;
        const position: QueryPosition = cursor
          ? decode(request, cursor)
          : {
              filter: values(request, 'filter'),
              orderField: values(request, 'orderField'),
              ...(typeof request.query.fullTextFilterTerm === 'string'
                ? { term: request.query.fullTextFilterTerm }
                : {}),
              termFields: values(request, 'fullTextFilterFields').flatMap((f) => f.split(',')),
              offset: Number(request.query.offset ?? 0),
            };
        const limit = Number(request.query.limit ?? 20);
        const fields = values(request, 'fields').flatMap((f) => f.split(','));
        let items = [...state.entities.values()].map((e) => state.withRelations(e));
        if (position.filter.length > 0) {
          items = items.filter((e) => {
            const table = searchable(e);
            return position.filter.some((f) => matchesFilter(table, f));
          });
        }
        if (position.term) {
          const term = position.term.toLowerCase();
          const termFields =
            position.termFields.length > 0
              ? position.termFields
              : ['metadata.name', 'metadata.title', 'metadata.description'];
          items = items.filter((e) => termFields.some((f) => fieldValue(e, f).toLowerCase().includes(term)));
        }
        const [orderPath = 'metadata.uid', direction = 'asc'] = (position.orderField[0] ?? 'metadata.uid,asc').split(
          ',',
        );
        items.sort(
          (a, b) => fieldValue(a, orderPath).localeCompare(fieldValue(b, orderPath)) * (direction === 'desc' ? -1 : 1),
        );
        const page = items.slice(position.offset, position.offset + limit);
        const more = position.offset + limit < items.length;
        return {
          status: 200,
          body: {
            items: page.map((e) => pick(e, fields)),
            totalItems: items.length,
            pageInfo: {
              ...(more ? { nextCursor: encode({ ...position, offset: position.offset + limit }) } : {}),
              ...(position.offset > 0
                ? { prevCursor: encode({ ...position, offset: Math.max(0, position.offset - limit) }) }
                : {}),
            },
          },
        };
      },
    },
    GetEntityByName: {
      route: 'GET /api/catalog/entities/by-name/{kind}/{namespace}/{name}',
      handle: ({ request }) => {
        caller(state, request, false);
        const { kind, namespace, name } = request.params as { kind: string; namespace: string; name: string };
        const entity = state.get(`${kind}:${namespace}/${name}`);
        if (!entity)
          throw fail(request, 404, `No entity named '${name}' found, with kind '${kind}' in namespace '${namespace}'`);
        return { status: 200, body: state.withRelations(entity) };
      },
    },
    CreateLocation: {
      route: 'POST /api/catalog/locations',
      handle: ({ request }) => {
        const dryRun = request.query.dryRun === 'true';
        caller(state, request, !dryRun);
        const { type, target } = request.body as { type: string; target: string };
        if (type !== 'url') throw fail(request, 400, `Unknown location type ${type}`);
        const existing = [...state.locations.values()].find((l) => l.target === target);
        const files = state.entitiesAt(target);
        if (!files) throw fail(request, 404, `Unable to read url, NotFoundError: ${target} could not be read`);
        const location = existing ?? { id: randomUUID(), type, target };
        const locationRef = `location:default/generated-${Buffer.from(target).toString('hex').slice(0, 40)}`;
        if (existing && !dryRun && request.query.onConflict !== 'refresh') {
          throw fail(request, 409, `Location ${type}:${target} already exists`);
        }
        const entities = files.map((e) => ({ ...e, metadata: { namespace: 'default', ...e.metadata } }));
        if (!dryRun) {
          state.locations.set(location.id, location);
          for (const entity of entities) state.add(entity, `url:${target}`);
        }
        return {
          status: 201,
          body: {
            ...(dryRun ? { exists: existing !== undefined } : {}),
            entities: entities.map((e) => (dryRun ? e : state.withRelations(state.get(entityRef(e))!))),
            location: { ...location, entityRef: locationRef },
          },
        };
      },
    },
    RefreshEntity: {
      route: 'POST /api/catalog/refresh',
      handle: ({ request }) => {
        caller(state, request, false);
        const ref = (request.body as { entityRef: string }).entityRef;
        const entity = state.get(ref);
        if (!entity) throw fail(request, 404, `Entity ${ref} not found`);
        entity.metadata.etag = randomUUID().replaceAll('-', '').slice(0, 16);
        return { status: 200 };
      },
    },
    GetTemplateParameterSchema: {
      route: 'GET /api/scaffolder/v2/templates/{namespace}/{kind}/{name}/parameter-schema',
      handle: ({ request }) => {
        caller(state, request, false);
        const { kind, namespace, name } = request.params as { kind: string; namespace: string; name: string };
        const template = state.get(`${kind}:${namespace}/${name}`);
        if (template?.kind.toLowerCase() !== 'template') {
          throw fail(request, 404, `Template ${kind}:${namespace}/${name} not found`);
        }
        return {
          status: 200,
          body: {
            title: template.metadata.title ?? template.metadata.name,
            ...(template.metadata.description ? { description: template.metadata.description } : {}),
            steps: ((template.spec?.parameters ?? []) as StepSchema[]).map((step) => ({
              title: step.title ?? 'Parameters',
              schema: step,
            })),
          },
        };
      },
    },
    Scaffold: {
      route: 'POST /api/scaffolder/v2/tasks',
      handle: ({ request }) => {
        const user = caller(state, request, true);
        const body = request.body as { templateRef: string; values: Record<string, unknown> };
        const template = state.get(body.templateRef);
        if (template?.kind.toLowerCase() !== 'template') {
          throw fail(request, 404, `Template ${body.templateRef} not found`);
        }
        const errors = validateValues(template, body.values);
        if (errors.length > 0) return { status: 400, body: { errors } };
        const task = createTask(state, template, body.values, user);
        return { status: 201, body: { id: task.id } };
      },
    },
    ListTasks: {
      route: 'GET /api/scaffolder/v2/tasks',
      handle: ({ request }) => {
        caller(state, request, false);
        const createdBy = values(request, 'createdBy');
        const statuses = values(request, 'status');
        const tasks = [...state.tasks.values()]
          .filter((t) => createdBy.length === 0 || createdBy.includes(t.createdBy))
          .filter((t) => statuses.length === 0 || statuses.includes(t.status))
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        const limit = Number(request.query.limit ?? 100);
        const offset = Number(request.query.offset ?? 0);
        return {
          status: 200,
          body: { tasks: tasks.slice(offset, offset + limit).map(serializeTask), totalTasks: tasks.length },
        };
      },
    },
    GetTask: {
      route: 'GET /api/scaffolder/v2/tasks/{taskId}',
      handle: ({ request }) => {
        caller(state, request, false);
        const task = taskOf(request);
        advance(task);
        return { status: 200, body: serializeTask(task) };
      },
    },
    StreamLogsPolling: {
      route: 'GET /api/scaffolder/v2/tasks/{taskId}/events',
      handle: ({ request }) => {
        caller(state, request, false);
        const task = taskOf(request);
        const after = request.query.after === undefined ? -1 : Number(request.query.after);
        return {
          status: 200,
          body: task.script
            .slice(0, task.released)
            .filter((event) => event.id > after)
            .map((event) => ({ ...event, taskId: task.id })),
        };
      },
    },
    CancelTask: {
      route: 'POST /api/scaffolder/v2/tasks/{taskId}/cancel',
      handle: ({ request }) => {
        caller(state, request, true);
        const task = taskOf(request);
        if (task.status === 'open' || task.status === 'processing') {
          task.status = 'cancelled';
          task.script = [
            ...task.script.slice(0, task.released),
            {
              id: task.released,
              type: 'cancelled',
              body: { message: 'Run cancelled', status: 'cancelled' },
              createdAt: state.timestamp(),
            },
          ];
          task.released = task.script.length;
        }
        return { status: 200, body: { status: task.status } };
      },
    },
  };
}

/** A task whose events play the template's steps; publishing to an existing repository fails like GitHub would. */
export function createTask(
  state: BackstageState,
  template: Entity,
  values: Record<string, unknown>,
  user: string,
): Task {
  const now = state.timestamp();
  const events: TaskEvent[] = [];
  const log = (message: string, stepId?: string, status?: string) =>
    events.push({
      id: events.length,
      type: 'log',
      body: { message, ...(stepId ? { stepId } : {}), ...(status ? { status } : {}) },
      createdAt: now,
    });
  const name = String(values.name ?? 'new-service');
  const owner = String(values.owner ?? 'group:default/platform');
  const repoExists = state.get(`component:default/${name}`) !== undefined;
  let failed = false;
  for (const step of stepList(template)) {
    log(`Beginning step ${step.name}`, step.id, 'processing');
    if (step.action === 'fetch:template') log(`Fetching template content from ${template.metadata.name}`, step.id);
    if (step.action === 'publish:github') {
      if (repoExists) {
        log(`Error: Repository acme/${name} already exists`, step.id, 'failed');
        failed = true;
        break;
      }
      log(`Creating repository acme/${name}`, step.id);
    }
    if (step.action === 'catalog:register')
      log(`Registering https://github.com/acme/${name}/blob/main/catalog-info.yaml`, step.id);
    log(`Finished step ${step.name}`, step.id, 'completed');
  }
  events.push({
    id: events.length,
    type: 'completion',
    body: failed
      ? { message: 'Run completed with status: failed', status: 'failed' }
      : {
          message: 'Run completed with status: completed',
          status: 'completed',
          output: {
            links: [
              { title: 'Repository', url: `https://github.com/acme/${name}` },
              { title: 'Open in catalog', entityRef: `component:default/${name}` },
            ],
          },
        },
    createdAt: now,
  });
  const task: Task = {
    id: randomUUID(),
    templateRef: entityRef(template),
    values,
    createdBy: user,
    createdAt: now,
    status: 'open',
    script: events,
    released: 0,
    onComplete: () => {
      const target = `https://github.com/acme/${name}/blob/main/catalog-info.yaml`;
      const entity: Entity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name, ...(values.description ? { description: String(values.description) } : {}) },
        spec: { type: 'service', lifecycle: 'experimental', owner },
      };
      state.remoteFiles.set(target, [entity]);
      state.locations.set(randomUUID(), { id: randomUUID(), type: 'url', target });
      state.add(entity, `url:${target}`);
    },
  };
  state.tasks.set(task.id, task);
  return task;
}

export { entityRef, parseRef };
