import { describe, expect, it } from 'vitest';
import { compile } from '../src/index.ts';

const policy = compile([]);

/** Value of one expression, `undefined` when it is undefined. */
function value(expr: string, strict = false): unknown {
  return policy.eval(`x := ${expr}`, { strictBuiltinErrors: strict })[0]?.x;
}

describe('regex (RE2 syntax)', () => {
  it('honours leading and group flags', () => {
    expect(value('regex.match(`(?i)^hello$`, "HeLLo")')).toBe(true);
    expect(value('regex.match(`^a(?i:b)c$`, "aBc")')).toBe(true);
    expect(value('regex.match(`^a(?i:b)c$`, "aBC")')).toBe(false);
    expect(value('regex.match(`(?s)a.b`, "a\\nb")')).toBe(true);
  });

  it('translates \\z, \\A, \\Q..\\E and POSIX classes', () => {
    expect(value('regex.match(`abc\\z`, "xabc")')).toBe(true);
    expect(value('regex.match(`\\Aabc`, "abcx")')).toBe(true);
    expect(value('regex.match(`^\\Qa.b*\\E$`, "a.b*")')).toBe(true);
    expect(value('regex.match(`^\\Qa.b*\\E$`, "axbb")')).toBe(false);
    expect(value('regex.match(`^[[:alpha:]]+[[:digit:]]$`, "abc1")')).toBe(true);
  });

  it('returns named groups and empty strings for groups that did not take part', () => {
    expect(value('regex.find_all_string_submatch_n(`(?P<key>\\w+)=(?P<value>\\d+)?`, "a=1 b=", -1)')).toEqual([
      ['a=1', 'a', '1'],
      ['b=', 'b', ''],
    ]);
  });

  it('rejects what RE2 rejects', () => {
    expect(value('regex.is_valid(`(a)\\1`)')).toBe(false);
    expect(value('regex.is_valid(`a(?=b)`)')).toBe(false);
    expect(value('regex.is_valid(`[a-`)')).toBe(false);
    expect(value('regex.is_valid(`^[a-z]+$`)')).toBe(true);
    expect(() => value('regex.match(`(a)\\1`, "aa")', true)).toThrow(/regex.match: error parsing regexp/);
  });

  it('splits and replaces like Go', () => {
    expect(value('regex.split(`,\\s*`, "a, b,c")')).toEqual(['a', 'b', 'c']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${k} is Go's replacement syntax, not JavaScript's
    expect(value('regex.replace("user=alice", `(?P<k>\\w+)=(\\w+)`, "$2@${k}")')).toBe('alice@user');
    expect(value('regex.find_n(`[0-9]+`, "a1b22c333", 2)')).toEqual(['1', '22']);
    expect(value('regex.template_match("urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")')).toBe(true);
  });

  it('matches globs with delimiters', () => {
    expect(value('glob.match("*.example.com", ["."], "api.example.com")')).toBe(true);
    expect(value('glob.match("*.example.com", ["."], "a.b.example.com")')).toBe(false);
    expect(value('glob.match("**.example.com", ["."], "a.b.example.com")')).toBe(true);
    expect(value('glob.match("{api,www}.example.com", [], "www.example.com")')).toBe(true);
  });
});

describe('sprintf', () => {
  it('formats Go verbs', () => {
    expect(value('sprintf("%s|%v|%d|%q|%t|%%", ["a", [1, "b"], 42, "q", true])')).toBe('a|[1, "b"]|42|"q"|true|%');
    expect(value('sprintf("%05.2f|%-4s|%4d|%x|%e", [3.14159, "ab", 7, 255, 1234.5])')).toBe(
      '03.14|ab  |   7|ff|1.234500e+03',
    );
    expect(value('sprintf("%v %v", [{"a": 1}, {1, 2}])')).toBe('{"a": 1} {1, 2}');
    expect(value('sprintf("%d", [1.5])')).toBe('%!d(float64=1.5)');
    expect(value('sprintf("%s %s", ["a"])')).toBe('a %!s(MISSING)');
  });
});

describe('units, time and others', () => {
  it('parses units', () => {
    expect(value('units.parse_bytes("1Gi")')).toBe(1073741824);
    expect(value('units.parse_bytes("10KB")')).toBe(10000);
    expect(value('units.parse("250m")')).toBe(0.25);
    expect(value('units.parse("2k")')).toBe(2000);
  });

  it('parses and formats time', () => {
    expect(value('time.parse_rfc3339_ns("2024-02-29T12:30:00.5Z")')).toBe(1709209800500000000n);
    expect(value('time.date(time.parse_rfc3339_ns("2024-02-29T23:30:00Z"))')).toEqual([2024, 2, 29]);
    expect(value('time.weekday(time.parse_rfc3339_ns("2024-02-29T23:30:00Z"))')).toBe('Thursday');
    expect(value('time.format([time.parse_rfc3339_ns("2024-02-29T23:30:00Z"), "UTC", "2006-01-02 15:04"])')).toBe(
      '2024-02-29 23:30',
    );
    expect(value('time.parse_duration_ns("1h30m")')).toBe(5400000000000);
    expect(value('time.parse_ns("2006-01-02", "2021-03-04")')).toBe(1614816000000000000n);
  });

  it('compares semantic versions and checks CIDRs', () => {
    expect(value('semver.compare("1.2.3", "1.10.0")')).toBe(-1);
    expect(value('semver.compare("1.0.0-alpha", "1.0.0")')).toBe(-1);
    expect(value('net.cidr_contains("10.0.0.0/8", "10.1.2.3")')).toBe(true);
    expect(value('net.cidr_contains("2001:db8::/32", "2001:db8::1")')).toBe(true);
    expect(value('net.cidr_intersects("192.168.0.0/16", "192.168.1.0/24")')).toBe(true);
  });

  it('round-trips JSON and YAML', () => {
    expect(value('json.unmarshal(json.marshal({"b": [1, {"c": null}], "a": 2}))')).toEqual({
      a: 2,
      b: [1, { c: null }],
    });
    expect(value('yaml.marshal({"b": 1, "a": ["x"]})')).toBe('a:\n  - x\nb: 1\n');
    expect(value('yaml.unmarshal("a: [1, 2]\\nb: yes")')).toEqual({ a: [1, 2], b: true });
  });

  it('signs, decodes and verifies JWTs', () => {
    const key = '{"kty": "oct", "k": "c2VjcmV0"}';
    const token = value(
      `io.jwt.encode_sign({"alg": "HS256", "typ": "JWT"}, {"sub": "alice", "exp": 2000000000}, ${key})`,
    );
    expect(typeof token).toBe('string');
    expect(value(`io.jwt.decode("${token}")[1]`)).toEqual({ exp: 2000000000, sub: 'alice' });
    expect(value(`io.jwt.verify_hs256("${token}", "secret")`)).toBe(true);
    expect(value(`io.jwt.verify_hs256("${token}", "other")`)).toBe(false);
    const at = (seconds: number) =>
      `io.jwt.decode_verify("${token}", {"secret": "secret", "time": ${seconds}000000000})[0]`;
    expect(value(at(1_900_000_000))).toBe(true);
    expect(value(at(2_100_000_000))).toBe(false);
    expect(() => value('io.jwt.decode("a.b")', true)).toThrow('encoded JWT must have 3 sections, found 2');
  });

  it('validates JSON Schema with gojsonschema-style errors', () => {
    const schema = `{"type": "object", "required": ["name", "replicas"], "additionalProperties": false,
      "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}, "replicas": {"type": "integer", "minimum": 1},
        "tier": {"enum": ["web", "db"]}, "ports": {"type": "array", "items": {"type": "integer"}}}}`;
    expect(value(`json.match_schema({"name": "api", "replicas": 2, "ports": [80]}, ${schema})`)).toEqual([true, []]);
    const [valid, errors] = value(
      `json.match_schema({"name": "API", "replicas": 0, "tier": "cache", "ports": ["x"], "extra": 1}, ${schema})`,
    ) as [boolean, { field: string; type: string; desc: string }[]];
    expect(valid).toBe(false);
    expect(errors.map((e) => `${e.field} ${e.type}`).sort()).toEqual([
      '(root) additional_property_not_allowed',
      'name pattern',
      'ports.0 invalid_type',
      'replicas number_gte',
      'tier enum',
    ]);
    expect(value('json.verify_schema({"type": "text"})')).toEqual([
      false,
      'jsonschema: has a primitive type that is NOT VALID -- given: /text/ Expected valid values are:[array boolean integer number null object string]',
    ]);
  });

  it('renders Go templates', () => {
    const vars = '{"team": "payments", "owners": ["ann", "bob"], "meta": {"tier": 1}, "empty": []}';
    expect(
      value(
        `strings.render_template("{{.team}}: {{range $i, $o := .owners}}{{if $i}}, {{end}}{{$o}}{{end}} tier {{.meta.tier}}", ${vars})`,
      ),
    ).toBe('payments: ann, bob tier 1');
    expect(
      value(
        `strings.render_template("{{with .meta}}{{.tier}}{{end}}|{{range .empty}}x{{else}}none{{end}}|{{.nope}}", ${vars})`,
      ),
    ).toBe('1|none|<undefined>');
    expect(value(`strings.render_template("a  {{- .team -}}  b", ${vars})`)).toBe('apaymentsb');
  });

  it('reports builtin errors only in strict mode', () => {
    expect(value('to_number("abc")')).toBeUndefined();
    expect(() => value('to_number("abc")', true)).toThrow(expect.objectContaining({ code: 'eval_builtin_error' }));
    expect(() => value('count(1)', true)).toThrow(
      'eval_type_error: count: operand 1 must be one of {array, object, set, string} but got number',
    );
  });
});
