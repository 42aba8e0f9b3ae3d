import { existsSync, globSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ServerCommand } from '@idp-mcp/core';
import { ToolError } from '@idp-mcp/core';
import {
  createPolicyGate,
  DOMAINS,
  type GatekeeperReview,
  gateOptionsFromEnv,
  MAX_FILE_BYTES,
  parseConfig,
  renderFindings,
  ruleCatalog,
  runTests,
  type Validation,
  validateText,
} from '@idp-mcp/policy';
import { createWebhookServer, reloadCertificates } from './webhook.ts';

type Io = Parameters<ServerCommand['run']>[1];

/** Exit codes of the CI gate. */
export const EXIT = { allowed: 0, denied: 1, badInput: 2 } as const;

/** A bad command line: exit code 2. */
class UsageError extends Error {}

const COMMON = {
  'policy-dir': { type: 'string', multiple: true },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const VALIDATE_HELP = `Usage: idp-mcp policy validate --file <path|glob|-> [--file ...] [options]

Checks configuration against the policies; exit 0 allowed, 1 denied, 2 bad input.
  --file PATH|GLOB|-     a file, a glob (quote it: 'k8s/**/*.yaml') or - for stdin; repeatable
  --domain D             ${DOMAINS.join(' | ')}; detected per document when omitted
  --format F             text (default) | json | sarif
  --environment ENV      target environment, e.g. prod (stricter GitOps rules)
  --policy-dir DIR       extra .rego policies and Gatekeeper templates; repeatable (env POLICY_DIRS)
  --config FILE          YAML/JSON policy settings per domain (env POLICY_CONFIG)

What Gatekeeper constraints see (input.review), as the admission webhook would pass it:
  --operation OP         CREATE | UPDATE | DELETE | CONNECT (default: none, as gator)
  --old-file PATH        the objects' previous versions (UPDATE: input.review.oldObject), matched by kind,
                         namespace and name; repeatable
  --user NAME            input.review.userInfo.username
  --group GROUP          input.review.userInfo.groups; repeatable
All files are checked as one manifest set: Namespaces for namespaceSelector and data.inventory come from them.`;

function gateFrom(values: { 'policy-dir'?: string[]; config?: string }, env: NodeJS.ProcessEnv) {
  return createPolicyGate(
    gateOptionsFromEnv(env, {
      ...(values['policy-dir'] ? { policyDirs: values['policy-dir'] } : {}),
      ...(values.config ? { configFile: values.config } : {}),
    }),
  );
}

function expandFiles(patterns: string[]): string[] {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (pattern === '-') files.push('-');
    else if (/[*?[{]/.test(pattern)) {
      const matched = globSync(pattern).sort();
      if (!matched.length) throw new UsageError(`--file: no file matches ${pattern}`);
      files.push(...matched);
    } else if (!existsSync(pattern)) throw new UsageError(`--file: ${pattern} does not exist`);
    else files.push(pattern);
  }
  return files;
}

async function runValidate(args: string[], io: Io, stdin: () => Promise<string>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      file: { type: 'string', short: 'f', multiple: true },
      domain: { type: 'string', short: 'd' },
      format: { type: 'string' },
      environment: { type: 'string' },
      operation: { type: 'string' },
      'old-file': { type: 'string', multiple: true },
      user: { type: 'string' },
      group: { type: 'string', multiple: true },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(`${VALIDATE_HELP}\n`);
    return EXIT.allowed;
  }
  if (!values.file?.length) throw new UsageError('--file is required (a path, a glob or - for stdin)');
  if (values.domain && !DOMAINS.includes(values.domain as never)) {
    throw new UsageError(`--domain: unknown domain ${values.domain}; choose from ${DOMAINS.join(', ')}`);
  }
  const format = values.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError('--format: must be text, json or sarif');
  const operation = values.operation?.toUpperCase();
  if (operation && !OPERATIONS.includes(operation as never)) {
    throw new UsageError(`--operation: must be one of ${OPERATIONS.join(', ')}`);
  }
  const gate = gateFrom(values, process.env);
  for (const problem of gate.bundle.gatekeeper.problems) io.stderr(`idp-mcp policy: warning: ${problem}\n`);
  const inputs: Array<{ file: string; text: string }> = [];
  for (const file of expandFiles(values.file)) {
    inputs.push({ file, text: file === '-' ? await stdin() : readFileSync(file, 'utf8') });
  }
  const review: GatekeeperReview = {
    objects: await manifestSet(inputs),
    ...(operation ? { operation: operation as GatekeeperReview['operation'] } : {}),
    ...(values['old-file']
      ? { oldObjects: await manifestSet(expandFiles(values['old-file']).map(readInput), true) }
      : {}),
    ...(values.user || values.group
      ? { userInfo: { ...(values.user ? { username: values.user } : {}), groups: values.group ?? [] } }
      : {}),
  };
  const results: Validation[] = [];
  for (const { file, text } of inputs) {
    results.push(
      await validateText(gate, text, {
        ...(file !== '-' ? { filename: file } : {}),
        maxBytes: MAX_FILE_BYTES,
        ...(values.domain ? { domain: values.domain } : {}),
        ...(values.environment ? { context: { environment: values.environment } } : {}),
        review,
      }),
    );
  }
  const merged: Validation = {
    allowed: results.every((r) => r.allowed),
    domains: [...new Set(results.flatMap((r) => r.domains))],
    documents: results.reduce((sum, r) => sum + r.documents, 0),
    violations: results.flatMap((r) => r.violations),
    warnings: results.flatMap((r) => r.warnings),
    waived: results.flatMap((r) => r.waived),
  };
  if (format === 'json') io.stdout(`${JSON.stringify(merged, null, 2)}\n`);
  else if (format === 'sarif') io.stdout(`${JSON.stringify(toSarif(merged, gate), null, 2)}\n`);
  else io.stdout(`${renderFindings(merged)}\n`);
  return merged.allowed ? EXIT.allowed : EXIT.denied;
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;

function readInput(file: string): { file: string; text: string } {
  return { file, text: readFileSync(file, 'utf8') };
}

/** The YAML/JSON documents of every file (Terraform and unparseable files contribute none: their check reports them). */
async function manifestSet(inputs: Array<{ file: string; text: string }>, strict = false): Promise<unknown[]> {
  const documents: unknown[] = [];
  for (const { file, text } of inputs) {
    if (/\.(tf|hcl)$/.test(file)) continue;
    const parsing = parseConfig(text, { filename: file, maxBytes: MAX_FILE_BYTES });
    const parsed = strict ? await parsing : await parsing.catch(() => undefined);
    documents.push(...(parsed?.documents ?? []));
  }
  return documents;
}

/** SARIF 2.1.0 for GitHub code scanning: one result per violation and warning. */
export function toSarif(result: Validation, gate: ReturnType<typeof createPolicyGate>) {
  const rules = ruleCatalog(gate.bundle.policy);
  const used = new Set([...result.violations, ...result.warnings].map((f) => f.rule));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'idp-mcp-policy',
            informationUri: 'https://github.com/acme/idp-mcp/blob/main/docs/policies.md',
            rules: rules
              .filter((rule) => used.has(rule.id))
              .map((rule) => ({
                id: rule.id,
                name: rule.title,
                shortDescription: { text: rule.title },
                fullDescription: { text: rule.description },
                help: { text: rule.rationale },
                defaultConfiguration: { level: rule.severity === 'deny' ? 'error' : 'warning' },
              })),
          },
        },
        results: [...result.violations, ...result.warnings].map((finding) => ({
          ruleId: finding.rule,
          level: finding.severity === 'deny' ? 'error' : 'warning',
          message: { text: `${finding.resource ? `${finding.resource}: ` : ''}${finding.message}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: finding.file ?? 'stdin' },
                region: { startLine: finding.line ?? 1 },
              },
              ...(finding.field ? { logicalLocations: [{ fullyQualifiedName: finding.field, kind: 'member' }] } : {}),
            },
          ],
        })),
      },
    ],
  };
}

async function runWebhook(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'tls-reload-seconds': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(
      'Usage: idp-mcp policy webhook --tls-cert FILE --tls-key FILE [--port 8443] [--host 0.0.0.0] [--tls-reload-seconds 60] [--policy-dir DIR] [--config FILE]\n\nServes the Kubernetes admission webhook (admission.k8s.io/v1) on HTTPS: POST /validate, POST /v1/validate, GET /healthz.\nA renewed certificate is picked up within --tls-reload-seconds.\n',
    );
    return EXIT.allowed;
  }
  if (!values['tls-cert'] || !values['tls-key']) throw new UsageError('--tls-cert and --tls-key are required');
  for (const flag of ['tls-cert', 'tls-key'] as const) {
    if (!existsSync(values[flag]!)) throw new UsageError(`--${flag}: ${values[flag]} does not exist`);
  }
  const port = Number(values.port ?? '8443');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port: must be 0-65535');
  const reloadSeconds = Number(values['tls-reload-seconds'] ?? '60');
  if (!(reloadSeconds > 0)) throw new UsageError('--tls-reload-seconds: must be a positive number');
  const gate = gateFrom(values, process.env);
  const server = createWebhookServer(gate, {
    cert: readFileSync(values['tls-cert']!),
    key: readFileSync(values['tls-key']!),
    log: (line) => io.stderr(`${line}\n`),
  });
  const stopReloading = reloadCertificates(
    server,
    { cert: values['tls-cert']!, key: values['tls-key']! },
    reloadSeconds * 1000,
    (line) => io.stderr(`${line}\n`),
  );
  await new Promise<void>((resolve) => server.listen(port, values.host ?? '0.0.0.0', resolve));
  const address = server.address();
  io.stderr(
    `idp-mcp policy webhook: listening on https://${values.host ?? '0.0.0.0'}:${typeof address === 'object' && address ? address.port : port}/validate\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      stopReloading();
      server.close(() => resolve());
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return EXIT.allowed;
}

async function runTestCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON, filter: { type: 'string' } }, strict: true });
  if (values.help) {
    io.stdout(
      'Usage: idp-mcp policy test [--filter TEXT] [--policy-dir DIR]\n\nRuns the Rego tests; exit 0 when all pass, 1 otherwise.\n',
    );
    return EXIT.allowed;
  }
  const { bundle } = gateFrom(values, process.env);
  const results = runTests(bundle.withTests(), bundle.modules).filter(
    (r) => !values.filter || `${r.package}.${r.name}`.includes(values.filter),
  );
  for (const r of results.filter((x) => !x.passed)) io.stdout(`FAIL ${r.package}.${r.name} (${r.file}): ${r.error}\n`);
  const failed = results.filter((r) => !r.passed).length;
  io.stdout(`${results.length - failed}/${results.length} policy tests passed\n`);
  return failed ? EXIT.denied : EXIT.allowed;
}

/**
 * Runs a command; bad arguments, unreadable input and policies that do not compile end it with exit
 * code 2 and one clear line (and the fix, when known), never a stack trace.
 */
function guarded(run: (args: string[], io: Io) => Promise<number>): ServerCommand['run'] {
  return async (args, io) => {
    try {
      return await run(args, io);
    } catch (error) {
      const hint = error instanceof ToolError && error.hint ? `\n  fix: ${error.hint}` : '';
      io.stderr(`idp-mcp policy: ${(error as Error).message}${hint}\n`);
      return EXIT.badInput;
    }
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const policyCommands: Record<string, ServerCommand> = {
  validate: {
    description: 'check files against the policies (CI gate): exit 0 allowed, 1 denied, 2 bad input',
    run: guarded((args, io) => runValidate(args, io, readStdin)),
  },
  webhook: {
    description: 'serve the Kubernetes admission webhook over HTTPS (--tls-cert, --tls-key, --port)',
    run: guarded(runWebhook),
  },
  test: {
    description: 'run the Rego policy tests: exit 0 when all pass',
    run: guarded(runTestCommand),
  },
};
