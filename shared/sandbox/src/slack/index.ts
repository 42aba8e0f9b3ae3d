// The Slack fake: the Web API methods idp-mcp calls (chat, conversations, users, auth), checked against Slack's
// published OpenAPI (Swagger 2.0) description, corrected in one documented place for how Slack really works.
import { FakeHttpError, type FakeOperation, type FakeRequest, type OpenApiFake, startOpenApiFake } from '../server.ts';
import { loadSpec, type OpenApiDocument } from '../spec.ts';
import {
  createEmptySlackState,
  createSampleSlackState,
  SAMPLE_SLACK_TOKENS,
  type SlackChannel,
  type SlackMessage,
  type SlackState,
  type SlackUser,
  TEAM,
} from './state.ts';

export {
  BOT_SCOPES,
  BOT_USER_ID,
  createEmptySlackState,
  createSampleSlackState,
  SAMPLE_SLACK_TOKENS,
  type SlackChannel,
  type SlackMessage,
  SlackState,
  type SlackUser,
  TEAM,
} from './state.ts';

export interface SlackFakeOptions {
  state?: SlackState;
  /** Check traffic against Slack's description (default true; the sandbox turns it off to start fast). */
  validate?: boolean;
  port?: number;
}

export interface SlackFake extends OpenApiFake {
  readonly state: SlackState;
  /** The bot token of the sample app. */
  readonly token: string;
  /** For WebClient's slackApiUrl: the fake's URL with a trailing slash, where Slack has https://slack.com/api/. */
  readonly apiUrl: string;
}

/** Slack's error: HTTP 200 with `ok: false` (429 and 5xx carry the same body). */
function fail(error: string, extra: Record<string, string> = {}): FakeHttpError {
  return new FakeHttpError(200, { ok: false, error, ...extra });
}

export function errorBody(status: number): unknown {
  return { ok: false, error: status === 429 ? 'ratelimited' : status >= 500 ? 'fatal_error' : 'invalid_arg_name' };
}

// --- arguments and authentication -------------------------------------------------------------------------------

/**
 * Slack reads a method's arguments from the query string or the body alike (form-encoded or JSON), and
 * @slack/web-api sends them all as a form-encoded POST body. The fake therefore presents them to the validator as
 * one set of query arguments; `slackSpec()` describes every argument that way (see `cleanUp`). Runs in the
 * `authenticate` hook, the one hook startOpenApiFake offers before it validates a request.
 */
function readArguments(request: FakeRequest): void {
  const body = request.body;
  const fromBody: Array<[string, string]> =
    typeof body === 'string'
      ? [...new URLSearchParams(body)]
      : body && typeof body === 'object'
        ? Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])
        : [];
  for (const [key, value] of fromBody) request.query[key] = value;
  request.body = undefined;
}

const callers = new WeakMap<FakeRequest, { userId: string; scopes: string[] }>();

function authenticate(state: SlackState, request: FakeRequest) {
  readArguments(request);
  const header = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const token = header ?? (typeof request.query.token === 'string' ? request.query.token : undefined);
  delete request.query.token;
  if (!token) return { status: 200, body: { ok: false, error: 'not_authed' } };
  const found = state.tokens.get(token);
  if (!found) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
  callers.set(request, found);
  return undefined;
}

/** Scope each method needs (Slack's method reference); a token without it gets missing_scope. */
const NEEDED_SCOPES: Record<string, string> = {
  chat_postMessage: 'chat:write',
  chat_update: 'chat:write',
  conversations_list: 'channels:read',
  conversations_info: 'channels:read',
  conversations_history: 'channels:history',
  conversations_replies: 'channels:history',
  conversations_create: 'channels:manage',
  conversations_invite: 'channels:manage',
  conversations_setTopic: 'channels:manage',
  conversations_archive: 'channels:manage',
  users_list: 'users:read',
  users_info: 'users:read',
  users_lookupByEmail: 'users:read.email',
};

function caller(request: FakeRequest, operationId: string): string {
  const found = callers.get(request);
  if (!found) throw new Error('request was not authenticated');
  const needed = NEEDED_SCOPES[operationId];
  if (needed && !found.scopes.includes(needed)) {
    throw fail('missing_scope', { needed, provided: found.scopes.join(',') });
  }
  return found.userId;
}

// --- representations --------------------------------------------------------------------------------------------

function conversation(channel: SlackChannel, callerId: string) {
  const set = (value: string) => ({
    value,
    creator: value ? channel.creator : '',
    last_set: value ? channel.created : 0,
  });
  return {
    id: channel.id,
    name: channel.name,
    is_channel: !channel.isPrivate,
    is_group: channel.isPrivate,
    is_im: false,
    is_mpim: false,
    is_private: channel.isPrivate,
    created: channel.created,
    is_archived: channel.isArchived,
    is_general: channel.isGeneral,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    creator: channel.creator,
    is_ext_shared: false,
    shared_team_ids: [TEAM.id],
    is_member: channel.members.includes(callerId),
    num_members: channel.members.length,
    topic: set(channel.topic),
    purpose: set(channel.purpose),
    previous_names: [],
  };
}

function messageObject(channel: SlackChannel, message: SlackMessage, withReplies = true) {
  const replies = channel.messages.filter((m) => m.threadTs === message.ts && m.ts !== message.ts);
  const author = message.user;
  return {
    type: 'message',
    ts: message.ts,
    user: author,
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.threadTs && message.threadTs !== message.ts
      ? { parent_user_id: threadParent(channel, message)?.user ?? author }
      : {}),
    ...(withReplies && replies.length > 0
      ? {
          thread_ts: message.ts,
          reply_count: replies.length,
          reply_users_count: new Set(replies.map((r) => r.user)).size,
          reply_users: [...new Set(replies.map((r) => r.user))],
          latest_reply: replies.at(-1)!.ts,
          subscribed: false,
        }
      : {}),
    team: TEAM.id,
  };
}

function threadParent(channel: SlackChannel, message: SlackMessage): SlackMessage | undefined {
  return channel.messages.find((m) => m.ts === message.threadTs);
}

function userObject(user: SlackUser) {
  return {
    id: user.id,
    team_id: TEAM.id,
    name: user.name,
    deleted: user.deleted,
    color: '9f69e7',
    real_name: user.realName,
    tz_label: user.tz,
    tz_offset: 0,
    profile: {
      title: user.title,
      phone: '',
      skype: '',
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.displayName,
      display_name_normalized: user.displayName,
      fields: null,
      status_text: '',
      status_emoji: '',
      status_expiration: 0,
      avatar_hash: 'g0a1b2c3d4e5',
      ...(user.email ? { email: user.email } : {}),
      image_48: `https://avatars.acme.example/${user.name}_48.png`,
      team: TEAM.id,
    },
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot,
    is_app_user: false,
    updated: 1_790_000_000,
  };
}

// --- helpers ----------------------------------------------------------------------------------------------------

function arg(request: FakeRequest, name: string): string | undefined {
  const value = request.query[name];
  return Array.isArray(value) ? value[0] : value;
}

function flag(request: FakeRequest, name: string, fallback: boolean): boolean {
  const value = arg(request, name);
  return value === undefined ? fallback : value === 'true' || value === '1';
}

/** Slack's cursors are opaque base64 strings; the fake's carry an offset. */
function page<T>(items: T[], request: FakeRequest, defaultLimit: number, maxLimit: number) {
  const cursor = arg(request, 'cursor');
  let offset = 0;
  if (cursor) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
    if (!decoded) throw fail('invalid_cursor');
    offset = Number(decoded[1]);
  }
  const limit = Math.min(Number(arg(request, 'limit') ?? defaultLimit) || defaultLimit, maxLimit);
  const slice = items.slice(offset, offset + limit);
  const more = offset + slice.length < items.length;
  return {
    slice,
    more,
    nextCursor: more ? Buffer.from(`offset:${offset + slice.length}`).toString('base64') : '',
  };
}

function channelOr404(state: SlackState, request: FakeRequest, callerId: string): SlackChannel {
  const id = arg(request, 'channel');
  const channel = id ? state.channel(id) : undefined;
  // A private channel the caller is not in does not exist for the caller.
  if (!channel || (channel.isPrivate && !channel.members.includes(callerId))) throw fail('channel_not_found');
  return channel;
}

function requireMember(channel: SlackChannel, callerId: string): void {
  if (!channel.members.includes(callerId)) throw fail('not_in_channel');
}

function parseBlocks(request: FakeRequest): unknown[] | undefined {
  const raw = arg(request, 'blocks');
  if (raw === undefined) return undefined;
  try {
    const blocks = JSON.parse(raw) as unknown;
    if (!Array.isArray(blocks) || blocks.some((b) => typeof (b as { type?: unknown })?.type !== 'string')) {
      throw new Error('not blocks');
    }
    if (blocks.length > 50) throw new Error('too many');
    return blocks;
  } catch {
    throw fail('invalid_blocks');
  }
}

const ok = (body: Record<string, unknown>) => ({ status: 200, body: { ok: true, ...body } });

// --- operations -------------------------------------------------------------------------------------------------

export function slackOperations(state: SlackState): Record<string, FakeOperation> {
  return {
    auth_test: {
      route: 'POST /auth.test',
      handle: ({ request }) => {
        const user = state.user(callers.get(request)!.userId)!;
        return ok({
          url: `https://${TEAM.domain}.slack.com/`,
          team: TEAM.name,
          user: user.name,
          team_id: TEAM.id,
          user_id: user.id,
          ...(user.isBot ? { bot_id: 'B0IDPMCP01' } : {}),
          is_enterprise_install: false,
        });
      },
    },
    chat_postMessage: {
      route: 'POST /chat.postMessage',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        const channel = channelOr404(state, request, me);
        if (channel.isArchived) throw fail('is_archived');
        requireMember(channel, me);
        const text = arg(request, 'text') ?? '';
        const blocks = parseBlocks(request);
        if (text === '' && !blocks) throw fail('no_text');
        if (text.length > 40_000) throw fail('msg_too_long');
        const threadTs = arg(request, 'thread_ts');
        const message = state.post(channel, {
          user: me,
          text,
          ...(blocks ? { blocks } : {}),
          ...(threadTs ? { threadTs } : {}),
          ...(threadTs && flag(request, 'reply_broadcast', false) ? { broadcast: true } : {}),
        });
        return ok({ channel: channel.id, ts: message.ts, message: messageObject(channel, message, false) });
      },
    },
    chat_update: {
      route: 'POST /chat.update',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        const channel = channelOr404(state, request, me);
        const message = channel.messages.find((m) => m.ts === arg(request, 'ts'));
        if (!message) throw fail('message_not_found');
        if (message.user !== me) throw fail('cant_update_message');
        const text = arg(request, 'text');
        const blocks = parseBlocks(request);
        if (text === undefined && !blocks) throw fail('no_text');
        if (text !== undefined) message.text = text;
        if (blocks) message.blocks = blocks;
        message.edited = true;
        return ok({
          channel: channel.id,
          ts: message.ts,
          text: message.text,
          message: messageObject(channel, message),
        });
      },
    },
    conversations_list: {
      route: 'POST /conversations.list',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        const types = (arg(request, 'types') ?? 'public_channel').split(',').map((t) => t.trim());
        const excludeArchived = flag(request, 'exclude_archived', false);
        const visible = state.channels.filter(
          (c) =>
            (c.isPrivate
              ? types.includes('private_channel') && c.members.includes(me)
              : types.includes('public_channel')) && !(excludeArchived && c.isArchived),
        );
        const { slice, nextCursor } = page(visible, request, 100, 1000);
        return ok({ channels: slice.map((c) => conversation(c, me)), response_metadata: { next_cursor: nextCursor } });
      },
    },
    conversations_info: {
      route: 'POST /conversations.info',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        return ok({ channel: conversation(channelOr404(state, request, me), me) });
      },
    },
    conversations_history: {
      route: 'POST /conversations.history',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        const channel = channelOr404(state, request, me);
        requireMember(channel, me);
        const oldest = Number(arg(request, 'oldest') ?? 0);
        const latest = Number(arg(request, 'latest') ?? Number.POSITIVE_INFINITY);
        const inclusive = flag(request, 'inclusive', false);
        const inWindow = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
        const topLevel = channel.messages
          .filter((m) => (!m.threadTs || m.threadTs === m.ts || m.broadcast) && inWindow(Number(m.ts)))
          .reverse();
        const { slice, more, nextCursor } = page(topLevel, request, 100, 999);
        return ok({
          messages: slice.map((m) => messageObject(channel, m)),
          has_more: more,
          pin_count: 0,
          channel_actions_ts: null,
          channel_actions_count: 0,
          response_metadata: { next_cursor: nextCursor },
        });
      },
    },
    conversations_replies: {
      route: 'POST /conversations.replies',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        const channel = channelOr404(state, request, me);
        requireMember(channel, me);
        const parent = channel.messages.find((m) => m.ts === arg(request, 'ts'));
        if (!parent) throw fail('thread_not_found');
        const thread = [parent, ...channel.messages.filter((m) => m.threadTs === parent.ts && m.ts !== parent.ts)];
        const { slice, more, nextCursor } = page(thread, request, 100, 1000);
        return ok({
          messages: slice.map((m) => messageObject(channel, m)),
          has_more: more,
          response_metadata: { next_cursor: nextCursor },
        });
      },
    },
    conversations_create: {
      route: 'POST /conversations.create',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        const name = arg(request, 'name') ?? '';
        if (name === '') throw fail('invalid_name_required');
        if (name.length > 80) throw fail('invalid_name_maxlength');
        if (!/^[a-z0-9_-]+$/.test(name)) throw fail('invalid_name_specials');
        if (state.channels.some((c) => c.name === name)) throw fail('name_taken');
        const channel = state.addChannel({ name, creator: me, isPrivate: flag(request, 'is_private', false) });
        return ok({ channel: conversation(channel, me) });
      },
    },
    conversations_invite: {
      route: 'POST /conversations.invite',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        const channel = channelOr404(state, request, me);
        if (channel.isArchived) throw fail('is_archived');
        requireMember(channel, me);
        const ids = (arg(request, 'users') ?? '')
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean);
        if (ids.length === 0) throw fail('no_user');
        if (ids.length > 1000) throw fail('too_many_users');
        if (ids.includes(me)) throw fail('cant_invite_self');
        if (ids.some((id) => !state.user(id) || state.user(id)!.deleted)) throw fail('user_not_found');
        const fresh = ids.filter((id) => !channel.members.includes(id));
        if (fresh.length === 0) throw fail('already_in_channel');
        channel.members.push(...fresh);
        return ok({ channel: conversation(channel, me) });
      },
    },
    conversations_setTopic: {
      route: 'POST /conversations.setTopic',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        const channel = channelOr404(state, request, me);
        if (channel.isArchived) throw fail('is_archived');
        requireMember(channel, me);
        const topic = arg(request, 'topic') ?? '';
        if (topic.length > 250) throw fail('too_long');
        channel.topic = topic;
        return ok({ channel: conversation(channel, me) });
      },
    },
    conversations_archive: {
      route: 'POST /conversations.archive',
      handle: ({ request, operationId }) => {
        const me = caller(request, operationId);
        const channel = channelOr404(state, request, me);
        if (channel.isGeneral) throw fail('cant_archive_general');
        if (channel.isArchived) throw fail('already_archived');
        requireMember(channel, me);
        channel.isArchived = true;
        return ok({});
      },
    },
    users_list: {
      route: 'POST /users.list',
      handle: ({ request, operationId }) => {
        caller(request, operationId);
        const { slice, nextCursor } = page(state.users, request, 100, 1000);
        return ok({
          members: slice.map(userObject),
          cache_ts: state.nowSeconds(),
          response_metadata: { next_cursor: nextCursor },
        });
      },
    },
    users_info: {
      route: 'POST /users.info',
      handle: ({ request, operationId }) => {
        caller(request, operationId);
        const user = state.user(arg(request, 'user') ?? '');
        if (!user) throw fail('user_not_found');
        return ok({ user: userObject(user) });
      },
    },
    users_lookupByEmail: {
      route: 'POST /users.lookupByEmail',
      handle: ({ request, operationId }) => {
        caller(request, operationId);
        const email = (arg(request, 'email') ?? '').toLowerCase();
        const user = state.users.find((u) => u.email?.toLowerCase() === email && !u.deleted);
        if (!user) throw fail('users_not_found');
        return ok({ user: userObject(user) });
      },
    },
  };
}

// --- the published description ----------------------------------------------------------------------------------

/** Errors every Web API method can answer (Slack's method reference lists them under each method's "Errors"). */
const COMMON_ERRORS = [
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'ratelimited',
  'accesslimited',
  'request_timeout',
  'fatal_error',
  'internal_error',
  'service_unavailable',
  'invalid_arg_name',
  'invalid_cursor',
];
/** Method errors Slack documents that the 2020 description does not list. */
const MISSING_ERRORS: Record<string, string[]> = {
  chat_postMessage: ['invalid_blocks'],
  chat_update: ['invalid_blocks'],
};

type Schema = {
  $ref?: string;
  type?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: unknown;
  enum?: unknown[];
  minItems?: number;
};
type Operation = {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema; description?: string }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};

/**
 * Spec clean-up: the one place where Slack's published description (Swagger 2.0, last changed 2020) is corrected to
 * what the Web API does and what @slack/web-api sends. Applied to the implemented operations only:
 * - Every method is served as POST: the client POSTs every call (Slack accepts GET or POST for every method), while
 *   the description gives read methods as GET.
 * - Arguments are one set of query parameters (see `readArguments`): form fields of POST methods become parameters
 *   with the same schemas and required flags. The `token` argument is dropped: the client authenticates with
 *   `Authorization: Bearer`, which the fake checks.
 * - Slack answers errors with HTTP 200 and `{ ok: false, error }`, which the description gives as `default`; the
 *   200 response becomes "success or error". Error enums gain the errors every method can answer (rate limits,
 *   scopes, auth) and documented method errors the description lacks (`invalid_blocks`); error schemas that omit
 *   them get `needed` and `provided`, which Slack sends with every `missing_scope`.
 * - Paginated methods whose success schema forbids extra properties but omits `response_metadata`
 *   (conversations.history, conversations.replies) get it, as Slack sends `response_metadata.next_cursor`.
 * - conversations.history's `messages` has `minItems: 1`; an empty time window answers `messages: []`.
 * - chat.update's success schema types `message.blocks` as an object; Block Kit blocks are an array (as in
 *   chat.postMessage's `objs_message`).
 * - The Swagger 2.0 original writes "or null" as `{ "type": "null" }`, which the conversion to OpenAPI 3.0 turns into
 *   a bare `{ "nullable": true }` that no validator can compile; it is turned back into `{ "type": "null" }`.
 */
function cleanUp(doc: OpenApiDocument): void {
  const restoreNull = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) restoreNull(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    if (schema.nullable === true && schema.type === undefined && schema.$ref === undefined) {
      delete schema.nullable;
      schema.type = 'null';
    }
    for (const value of Object.values(schema)) restoreNull(value);
  };
  restoreNull(doc);
  for (const [path, item] of Object.entries(doc.paths)) {
    const get = item.get as Operation | undefined;
    if (get) {
      item.post = get;
      delete item.get;
    }
    const operation = item.post as Operation | undefined;
    if (!operation) continue;
    const formSchema = operation.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
    const fromForm = Object.entries(formSchema?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: formSchema?.required?.includes(name) ?? false,
      schema,
    }));
    operation.parameters = [
      ...(operation.parameters ?? []).filter((p) => p.name !== 'token' && (p.in === 'query' || p.in === 'path')),
      ...fromForm.filter((p) => p.name !== 'token'),
    ];
    delete operation.requestBody;
    const success = operation.responses['200']?.content?.['application/json']?.schema;
    const error = operation.responses.default?.content?.['application/json']?.schema;
    if (!success || !error) throw new Error(`slack spec: ${path} lacks a success or error schema`);
    const errorEnum = error.properties?.error;
    if (errorEnum?.enum) {
      errorEnum.enum = [
        ...new Set([...errorEnum.enum, ...COMMON_ERRORS, ...(MISSING_ERRORS[operation.operationId ?? ''] ?? [])]),
      ];
    }
    if (error.properties && error.additionalProperties === false) {
      error.properties.needed ??= { type: 'string' };
      error.properties.provided ??= { type: 'string' };
    }
    const updatedMessage = success.properties?.message;
    if (operation.operationId === 'chat_update' && updatedMessage?.properties?.blocks) {
      updatedMessage.properties.blocks = { type: 'array', items: { type: 'object' } } as Schema;
    }
    if (success.additionalProperties === false && success.properties && !success.properties.response_metadata) {
      success.properties.response_metadata = { $ref: '#/components/schemas/objs_response_metadata' };
    }
    const messages = success.properties?.messages;
    if (operation.operationId === 'conversations_history' && messages) delete messages.minItems;
    operation.responses['200'] = {
      ...operation.responses['200'],
      content: { 'application/json': { schema: { anyOf: [success, error] } as Schema } },
    };
  }
}

const OPERATIONS = Object.keys(slackOperations(createEmptySlackState()));
let cleaned: Promise<OpenApiDocument> | undefined;

/** Slack's description trimmed to the implemented operations and cleaned (cached per process). */
export function slackSpec(): Promise<OpenApiDocument> {
  cleaned ??= loadSpec({ file: 'slack/slack_web_openapi_v2.json' }, { operationIds: OPERATIONS }).then((trimmed) => {
    const doc = structuredClone(trimmed);
    cleanUp(doc);
    return doc;
  });
  return cleaned;
}

export async function startSlackFake(options: SlackFakeOptions = {}): Promise<SlackFake> {
  const state = options.state ?? createSampleSlackState();
  const validate = options.validate ?? true;
  const fake = await startOpenApiFake({
    name: 'slack',
    spec: validate ? slackSpec() : undefined,
    operations: slackOperations(state),
    validate,
    authenticate: (request) => authenticate(state, request),
    errorBody,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  const token = state.tokens.has(SAMPLE_SLACK_TOKENS.bot)
    ? SAMPLE_SLACK_TOKENS.bot
    : ([...state.tokens.keys()][0] ?? '');
  return { ...fake, state, token, apiUrl: `${fake.url}/` };
}
