import { redactText, redactValue } from './redact.ts';

/** Structured logs as JSON lines on stderr: stdout belongs to the stdio MCP transport. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(name: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
}

export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? logLevelFromEnv()];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const record = {
      time: new Date().toISOString(),
      level,
      logger: name,
      msg: redactText(message),
      ...redactValue(fields),
    };
    write(JSON.stringify(record));
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (child) => createLogger(`${name}.${child}`, options),
  };
}

function logLevelFromEnv(): LogLevel {
  const level = process.env.IDP_MCP_LOG_LEVEL;
  return level && level in LEVELS ? (level as LogLevel) : 'info';
}

/** A logger that drops everything, for tests and in-process tools that must stay quiet. */
export const silentLogger: Logger = createLogger('silent', { write: () => {} });
