import { ToolError } from '@idp-mcp/core';
import { parse } from 'yaml';
import * as z from 'zod';

/**
 * The golden-path template as a checked contract. The template repository declares the parameters its files use
 * as `{{name}}` in DECLARATION (name, type, default, required); a plan refuses a template whose files use an
 * undeclared parameter or that requires one nobody fills, and no rendered artefact may keep a placeholder.
 * GitHub Actions expressions (`${{ github.ref_name }}`) are not placeholders.
 */
export const DECLARATION = '.idp/template.yaml';

const PLACEHOLDER = /(?<!\$)\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

const TYPES = {
  string: () => true,
  integer: (value: string) => /^-?\d+$/.test(value),
  boolean: (value: string) => value === 'true' || value === 'false',
} as const;

const declarationSchema = z.object({
  parameters: z.array(
    z.object({
      name: z.string().regex(/^[A-Za-z_]\w*$/, { error: 'must be a placeholder name: letters, digits and _' }),
      type: z.enum(Object.keys(TYPES) as [keyof typeof TYPES, ...Array<keyof typeof TYPES>]),
      required: z.boolean().default(false),
      default: z.union([z.string(), z.number(), z.boolean()]).optional(),
      description: z.string().optional(),
    }),
  ),
});

export type TemplateParameter = z.output<typeof declarationSchema>['parameters'][number];

function contractError(templateRepo: string, message: string, hint: string): ToolError {
  return new ToolError('invalid_request', `the golden-path template ${templateRepo} ${message}; nothing was planned`, {
    hint,
    retryable: false,
  });
}

/** The parameters DECLARATION declares; a missing or malformed declaration is refused naming the field. */
export function parseDeclaration(templateRepo: string, text: string | undefined): TemplateParameter[] {
  if (text === undefined) {
    throw contractError(
      templateRepo,
      `declares no parameters (${DECLARATION} is missing)`,
      `add ${DECLARATION} listing each {{parameter}} its files use: name, type (string, integer, boolean), default, required`,
    );
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw contractError(templateRepo, `has a ${DECLARATION} that is not YAML (${(error as Error).message})`, 'fix it');
  }
  const parsed = declarationSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw contractError(
      templateRepo,
      `has an invalid ${DECLARATION}: ${issue.path.join('.') || '(top)'} ${issue.message}`,
      'each parameter needs name and type (string, integer or boolean); required and default are optional',
    );
  }
  return parsed.data.parameters;
}

/** The placeholder names a text uses, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1]!))];
}

/**
 * The value of every declared parameter: what the platform offers, else the declared default. Refuses a template
 * file that uses an undeclared parameter, a required parameter nobody fills, and a value of the wrong type.
 */
export function parameterValues(
  templateRepo: string,
  parameters: TemplateParameter[],
  files: Array<{ path: string; content: string }>,
  offered: Record<string, string>,
): Record<string, string> {
  const declared = new Set(parameters.map((parameter) => parameter.name));
  const undeclared = files.flatMap((file) =>
    placeholdersOf(file.content)
      .filter((name) => !declared.has(name))
      .map((name) => `{{${name}}} in ${file.path}`),
  );
  if (undeclared.length > 0) {
    throw contractError(
      templateRepo,
      `uses undeclared parameters: ${undeclared.join(', ')}`,
      `declare them in ${DECLARATION} (with a default unless the platform fills them: ${Object.keys(offered).join(', ')}), or remove them from the files`,
    );
  }
  const values: Record<string, string> = {};
  for (const parameter of parameters) {
    const value = offered[parameter.name] ?? (parameter.default === undefined ? undefined : String(parameter.default));
    if (value === undefined) {
      if (parameter.required) {
        throw contractError(
          templateRepo,
          `requires parameter ${parameter.name}, which the platform does not fill and which has no default`,
          `give it a default in ${DECLARATION}, or use one of ${Object.keys(offered).join(', ')}`,
        );
      }
      values[parameter.name] = '';
      continue;
    }
    if (!TYPES[parameter.type](value)) {
      throw contractError(
        templateRepo,
        `declares parameter ${parameter.name} as ${parameter.type}, but its value is ${JSON.stringify(value)}`,
        `fix the type or the default of ${parameter.name} in ${DECLARATION}`,
      );
    }
    values[parameter.name] = value;
  }
  return values;
}

export function fill(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (match, name: string) => values[name] ?? match);
}

/** Refuses a plan whose rendered files still hold a placeholder: checked before the policy gate. */
export function assertNoPlaceholders(files: Array<{ repo: string; path: string; content: string }>): void {
  const unfilled = files.flatMap((file) =>
    placeholdersOf(file.content).map((name) => `${file.repo}:${file.path} keeps {{${name}}}`),
  );
  if (unfilled.length > 0) {
    throw new ToolError(
      'invalid_request',
      `rendered files would be committed with unfilled placeholders: ${unfilled.join('; ')}; nothing was planned`,
      {
        hint: 'a request value that itself contains {{...}} is not allowed; otherwise declare and fill the parameter in the template',
        retryable: false,
      },
    );
  }
}
