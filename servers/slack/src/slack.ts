import { createUpstreamFetch, type FetchFunction, type Logger, ToolError, upstreamHttpError } from '@idp-mcp/core';
import { LogLevel, type Logger as SlackLogger, WebClient } from '@slack/web-api';

/**
 * The only place that talks to Slack: the WebClient set-up, the mapping of Slack's errors, and the channel allow list.
 *
 * Retries happen once, in the core's upstream fetch (given to WebClient as its `fetch`): WebClient runs with
 * `retryConfig: { retries: 0 }` (its default is ten retries over about thirty minutes) and `rejectRateLimitedCalls`,
 * so it neither retries nor sleeps on a 429 itself. The core's fetch decides retry safety from the HTTP method, but
 * WebClient POSTs every method; read methods (below) are therefore presented to it as GET and still sent as the POST
 * WebClient built, so reads are retried (5xx, network errors, a short Retry-After) and writes never are: a repeated
 * chat.postMessage would post twice. A 429 that is not retried comes back as `rate_limited` with Retry-After.
 * Timeouts and cancellation (the tool call's AbortSignal) apply to every call; WebClient's own timeout is off.
 */

const READ_METHODS = new Set([
  'auth.test',
  'conversations.list',
  'conversations.info',
  'conversations.history',
  'conversations.replies',
  'users.info',
  'users.list',
  'users.lookupByEmail',
]);

export interface SlackOptions {
  token: string;
  /** Web API base URL with a trailing slash: https://slack.com/api/ */
  apiUrl: string;
  timeoutMs?: number;
  log: Logger;
}

export interface Slack {
  /** A WebClient for one tool call: its requests are cancelled with `signal`. */
  client(signal: AbortSignal): WebClient;
  /**
   * Display names of user ids (users.info, cached for the process: names rarely change). Best effort: an id that
   * cannot be looked up (deleted, no users:read scope) is left out, and the caller shows the bare id.
   */
  userNames(client: WebClient, ids: string[]): Promise<Map<string, string>>;
}

function slackLogger(log: Logger): SlackLogger {
  return {
    debug: () => {},
    info: () => {},
    warn: (...messages: unknown[]) => log.warn(`slack: ${messages.map(String).join(' ')}`),
    error: (...messages: unknown[]) => log.error(`slack: ${messages.map(String).join(' ')}`),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}

export function createSlack(options: SlackOptions): Slack {
  const upstream = (fetch?: typeof globalThis.fetch) =>
    createUpstreamFetch({
      upstream: 'Slack',
      log: options.log,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(fetch ? { fetch } : {}),
    });
  const writeFetch: FetchFunction = upstream();
  // Sees reads as GET (so it may retry them) and sends them exactly as WebClient built them: POST with a form body.
  const readFetch: FetchFunction = upstream((input, init) => globalThis.fetch(input, { ...init, method: 'POST' }));
  const apiUrl = options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`;
  const logger = slackLogger(options.log);
  const names = new Map<string, string>();

  return {
    async userNames(client, ids) {
      const wanted = [...new Set(ids)].filter((id) => /^[UW][A-Z0-9]{2,}$/.test(id)).slice(0, 50);
      await Promise.all(
        wanted
          .filter((id) => !names.has(id))
          .map(async (id) => {
            try {
              const { user } = await client.users.info({ user: id });
              const name = user?.real_name || user?.name;
              if (name) names.set(id, name);
            } catch (error) {
              options.log.debug('slack: no name for user', { id, error: String(error) });
            }
          }),
      );
      return new Map(wanted.filter((id) => names.has(id)).map((id) => [id, names.get(id)!]));
    },
    client(signal) {
      return new WebClient(options.token, {
        slackApiUrl: apiUrl,
        allowAbsoluteUrls: false,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: 0,
        logger,
        fetch: (url, init) => {
          const method = String(url).slice(apiUrl.length);
          const requestInit = { ...init, signal } as RequestInit;
          return READ_METHODS.has(method)
            ? readFetch(url, { ...requestInit, method: 'GET' })
            : writeFetch(url, requestInit);
        },
      });
    },
  };
}

/** Slack error codes by our code; anything else is `invalid_request` (Slack names the bad argument in the code). */
const SLACK_ERRORS: Record<string, { code: ToolError['code']; hint?: string }> = {
  channel_not_found: {
    code: 'not_found',
    hint: 'pass a channel id (C...) or name from list_channels; the bot sees a private channel only once invited',
  },
  thread_not_found: { code: 'not_found', hint: "pass the ts of the thread's first message (get_channel_history)" },
  message_not_found: { code: 'not_found', hint: 'pass the ts of a message in this channel (get_channel_history)' },
  users_not_found: { code: 'not_found', hint: 'no user has this email; find_users by name lists people' },
  user_not_found: { code: 'not_found', hint: 'pass user ids (U...) from find_users' },
  not_in_channel: {
    code: 'forbidden',
    hint: 'the bot is not a member: invite it in Slack with /invite @idp-mcp, or use a channel it is in',
  },
  missing_scope: { code: 'forbidden' },
  no_permission: { code: 'forbidden', hint: 'the bot token may not do this; a workspace admin can grant it' },
  restricted_action: { code: 'forbidden', hint: 'a workspace setting forbids this action for the bot' },
  not_allowed_token_type: { code: 'forbidden', hint: 'SLACK_BOT_TOKEN must be a bot token (xoxb-...)' },
  cant_update_message: { code: 'forbidden', hint: 'the bot can only edit its own messages' },
  cant_archive_general: { code: 'forbidden', hint: "the workspace's general channel cannot be archived" },
  is_archived: { code: 'conflict', hint: 'the channel is archived: unarchive it in Slack or use another channel' },
  invalid_auth: { code: 'unauthorized' },
  not_authed: { code: 'unauthorized' },
  account_inactive: { code: 'unauthorized' },
  token_revoked: { code: 'unauthorized' },
  token_expired: { code: 'unauthorized' },
  name_taken: { code: 'conflict', hint: 'a channel (possibly archived) already has this name: pick another name' },
  already_in_channel: { code: 'conflict', hint: 'every user given is already a member' },
  already_archived: { code: 'conflict', hint: 'the channel is already archived' },
  ratelimited: { code: 'rate_limited' },
  rate_limited: { code: 'rate_limited' },
  request_timeout: { code: 'timeout' },
  fatal_error: { code: 'upstream_unavailable' },
  internal_error: { code: 'upstream_unavailable' },
  service_unavailable: { code: 'upstream_unavailable' },
};

const UNAUTHORIZED_HINT = 'SLACK_BOT_TOKEN was rejected: set a valid bot token (xoxb-...) of an installed Slack app';

function platformError(data: { error: string; needed?: unknown; provided?: unknown }): ToolError {
  const known = SLACK_ERRORS[data.error];
  const code = known?.code ?? 'invalid_request';
  let hint = known?.hint;
  if (data.error === 'missing_scope') {
    hint = `add the scope ${String(data.needed ?? "(see Slack's method reference)")} to the Slack app (OAuth & Permissions) and reinstall it`;
  } else if (code === 'unauthorized') {
    hint = UNAUTHORIZED_HINT;
  } else if (!known) {
    hint = "Slack rejected an argument: the error code names it (see the method's errors in Slack's reference)";
  }
  return new ToolError(code, `Slack refused the call: ${data.error}`, {
    upstream: 'Slack',
    ...(hint ? { hint } : {}),
    ...(code === 'timeout' || code === 'upstream_unavailable' ? { retryable: false } : {}),
  });
}

/** @slack/web-api's errors as ToolErrors: `ok: false` codes, rate limits, HTTP and transport failures. */
export function mapSlackError(error: unknown): ToolError | undefined {
  if (error instanceof ToolError) return error;
  const coded = error as {
    code?: string;
    data?: { error?: string; needed?: unknown; provided?: unknown };
    retryAfter?: number;
    original?: unknown;
    statusCode?: number;
    statusMessage?: string;
  };
  switch (coded?.code) {
    case 'slack_webapi_platform_error':
      return platformError({ ...coded.data, error: coded.data?.error ?? 'unknown_error' });
    case 'slack_webapi_rate_limited_error':
      return new ToolError('rate_limited', 'Slack rate limit reached for this method', {
        upstream: 'Slack',
        status: 429,
        retryable: true,
        ...(coded.retryAfter !== undefined ? { retryAfterSeconds: coded.retryAfter } : {}),
      });
    case 'slack_webapi_request_error': {
      if (coded.original instanceof ToolError) return coded.original;
      return new ToolError('upstream_unavailable', 'Slack could not be reached', {
        upstream: 'Slack',
        retryable: false,
      });
    }
    case 'slack_webapi_http_error':
      return upstreamHttpError('Slack', coded.statusCode ?? 500, coded.statusMessage || 'request failed', {
        method: 'POST',
        ...(coded.statusCode === 401 ? { hint: UNAUTHORIZED_HINT } : {}),
      });
    default:
      return undefined;
  }
}

/**
 * SLACK_ALLOWED_CHANNELS: the channels write tools may change, as names (with or without '#', a trailing '*' matches
 * a prefix, e.g. "inc-*") or ids. Unset: every channel the bot can reach.
 */
export class ChannelAllowList {
  private readonly entries: string[];

  constructor(value: string | undefined) {
    this.entries = (value ?? '')
      .split(',')
      .map((entry) => entry.trim().replace(/^#/, ''))
      .filter(Boolean);
  }

  get restricted(): boolean {
    return this.entries.length > 0;
  }

  allows(channel: { id?: string; name?: string }): boolean {
    if (!this.restricted) return true;
    return this.entries.some((entry) =>
      entry.endsWith('*')
        ? channel.name?.startsWith(entry.slice(0, -1)) === true
        : entry === channel.id || entry === channel.name,
    );
  }

  /** Throws `forbidden`, saying how to allow the channel. */
  check(field: string, channel: { id?: string; name?: string }): void {
    if (this.allows(channel)) return;
    const shown = channel.name ? `#${channel.name}` : channel.id;
    throw new ToolError(
      'forbidden',
      `${field}: ${shown} is not in SLACK_ALLOWED_CHANNELS (${this.entries.join(', ')}); write tools may only change those channels`,
      {
        hint: `use an allowed channel, or add ${channel.name ?? channel.id} to SLACK_ALLOWED_CHANNELS (comma-separated names or ids, "prefix-*" for a prefix) and restart the server`,
      },
    );
  }
}
