/** time.* builtins on nanosecond timestamps (bigint internally), with IANA zones through Intl. */
import { normalizeBig, toBig, type Value } from '../values.ts';
import { builtinError, int, num, operandError, str } from './args.ts';
import type { Builtin } from './types.ts';

const NS_PER_MS = 1_000_000n;
const MIN_NS = -9223372036854775808n;
const MAX_NS = 9223372036854775807n;
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function checkRange(ns: bigint): Value {
  if (ns < MIN_NS || ns > MAX_NS) builtinError('time outside of valid range');
  return normalizeBig(ns);
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Offset of a zone from UTC, in minutes, at the given instant. */
function zoneOffset(tz: string, ms: number): number {
  if (tz === '' || tz === 'UTC' || tz === 'Local') return 0;
  let f = zoneFormats.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return builtinError(`unknown time zone ${tz}`);
    }
    zoneFormats.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const asUTC = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((asUTC - Math.floor(ms / 1000) * 1000) / 60000);
}

interface Civil {
  date: Date;
  nanos: number;
  offsetMin: number;
}

/** Splits the time argument (ns or [ns, tz]) into a UTC-shifted Date (local wall clock), sub-ms nanos and offset. */
function civil(v: Value, pos = 1): Civil & { tz: string; layout: string | undefined } {
  let ns: bigint;
  let tz = 'UTC';
  let layout: string | undefined;
  if (Array.isArray(v)) {
    if (v.length < 2 || v.length > 3) builtinError('array must have two or three elements');
    ns = toBig(num(v, 0));
    tz = str(v, 1);
    if (v.length === 3) layout = str(v, 2);
  } else if (typeof v === 'number' || typeof v === 'bigint') ns = toBig(typeof v === 'number' ? Math.trunc(v) : v);
  else return operandError(pos, 'one of {number, array}', v);
  if (ns < MIN_NS || ns > MAX_NS) builtinError('timestamp too big');
  const ms = Number(ns / NS_PER_MS) - (ns % NS_PER_MS < 0n ? 1 : 0);
  const nanos = Number(ns - BigInt(ms) * NS_PER_MS);
  const offsetMin = zoneOffset(tz, ms);
  return { date: new Date(ms + offsetMin * 60000), nanos, offsetMin, tz, layout };
}

function fromParts(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  nanos: bigint,
  offsetMin: number,
): bigint {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return (BigInt(date.getTime()) - BigInt(offsetMin) * 60000n) * NS_PER_MS + nanos;
}

function parseRFC3339(s: string): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m)
    builtinError(
      `parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(s)} as "2006"`,
    );
  const [, y, mo, d, h, mi, sec, frac, zone] = m!;
  const offset =
    zone === 'Z' || zone === 'z'
      ? 0
      : (zone!.startsWith('-') ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  if (Number(mo) > 12 || Number(mo) < 1) builtinError(`parsing time ${JSON.stringify(s)}: month out of range`);
  if (Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)
    builtinError(`parsing time ${JSON.stringify(s)}: day out of range`);
  const nanos = frac ? BigInt(frac.slice(1).padEnd(9, '0').slice(0, 9)) : 0n;
  return fromParts(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), nanos, offset);
}

const LAYOUT_TOKENS = [
  'January',
  'Monday',
  '2006',
  '-07:00:00',
  'Z07:00:00',
  '-07:00',
  'Z07:00',
  '-0700',
  'Z0700',
  '-07',
  'Z07',
  'Jan',
  'Mon',
  'MST',
  '002',
  '01',
  '02',
  '_2',
  '03',
  '04',
  '05',
  '06',
  '15',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];

function tokenizeLayout(layout: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < layout.length) {
    if ((layout[i] === '.' || layout[i] === ',') && /^[.,](0+|9+)(?!\d)/.test(layout.slice(i))) {
      const m = /^[.,](0+|9+)/.exec(layout.slice(i))!;
      out.push(m[0]);
      i += m[0].length;
      continue;
    }
    const tok = LAYOUT_TOKENS.find((t) => layout.startsWith(t, i));
    if (tok) {
      out.push(tok);
      i += tok.length;
    } else {
      out.push(layout[i]!);
      i++;
    }
  }
  return out;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function formatLayout(c: Civil, layout: string): string {
  const d = c.date;
  const off = c.offsetMin;
  const sign = off < 0 ? '-' : '+';
  const oh = pad2(Math.floor(Math.abs(off) / 60));
  const om = pad2(Math.abs(off) % 60);
  const nanosTotal = d.getUTCMilliseconds() * 1_000_000 + c.nanos;
  return tokenizeLayout(layout)
    .map((t) => {
      switch (t) {
        case '2006':
          return String(d.getUTCFullYear()).padStart(4, '0');
        case '06':
          return pad2(d.getUTCFullYear() % 100);
        case 'January':
          return MONTHS[d.getUTCMonth()]!;
        case 'Jan':
          return MONTHS[d.getUTCMonth()]!.slice(0, 3);
        case '01':
          return pad2(d.getUTCMonth() + 1);
        case '1':
          return String(d.getUTCMonth() + 1);
        case 'Monday':
          return DAYS[d.getUTCDay()]!;
        case 'Mon':
          return DAYS[d.getUTCDay()]!.slice(0, 3);
        case '02':
          return pad2(d.getUTCDate());
        case '_2':
          return String(d.getUTCDate()).padStart(2, ' ');
        case '2':
          return String(d.getUTCDate());
        case '002':
          return String(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1).padStart(3, '0');
        case '15':
          return pad2(d.getUTCHours());
        case '03':
          return pad2(d.getUTCHours() % 12 || 12);
        case '3':
          return String(d.getUTCHours() % 12 || 12);
        case '04':
          return pad2(d.getUTCMinutes());
        case '4':
          return String(d.getUTCMinutes());
        case '05':
          return pad2(d.getUTCSeconds());
        case '5':
          return String(d.getUTCSeconds());
        case 'PM':
          return d.getUTCHours() >= 12 ? 'PM' : 'AM';
        case 'pm':
          return d.getUTCHours() >= 12 ? 'pm' : 'am';
        case 'MST':
          return off === 0 ? 'UTC' : `${sign}${oh}${om}`;
        case 'Z07:00':
          return off === 0 ? 'Z' : `${sign}${oh}:${om}`;
        case '-07:00':
          return `${sign}${oh}:${om}`;
        case 'Z0700':
          return off === 0 ? 'Z' : `${sign}${oh}${om}`;
        case '-0700':
          return `${sign}${oh}${om}`;
        case 'Z07':
          return off === 0 ? 'Z' : `${sign}${oh}`;
        case '-07':
          return `${sign}${oh}`;
        default:
          if (/^[.,]0+$/.test(t))
            return (
              t[0] +
              String(nanosTotal)
                .padStart(9, '0')
                .slice(0, t.length - 1)
            );
          if (/^[.,]9+$/.test(t)) {
            const digits = String(nanosTotal)
              .padStart(9, '0')
              .slice(0, t.length - 1)
              .replace(/0+$/, '');
            return digits ? t[0] + digits : '';
          }
          return t;
      }
    })
    .join('');
}

const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

function parseLayout(layout: string, value: string): bigint {
  const fields: Record<string, string> = {};
  let src = '';
  const names: string[] = [];
  const group = (name: string, re: string) => {
    names.push(name);
    src += `(${re})`;
  };
  const tokens = tokenizeLayout(layout);
  // Go accepts a fraction after the seconds even when the layout has none
  let index = 0;
  const optionalFraction = () => {
    if (!/^[.,][09]+$/.test(tokens[index + 1] ?? '')) group('frac', '(?:[.,]\\d+)?');
  };
  for (; index < tokens.length; index++) {
    const t = tokens[index]!;
    switch (t) {
      case '2006':
        group('year', '\\d{4}');
        break;
      case '06':
        group('year2', '\\d{2}');
        break;
      case 'January':
        group('monthName', '[A-Za-z]+');
        break;
      case 'Jan':
        group('monthName', '[A-Za-z]{3}');
        break;
      case '01':
        group('month', '\\d{2}');
        break;
      case '1':
        group('month', '\\d{1,2}');
        break;
      case 'Monday':
        group('dayName', '[A-Za-z]+');
        break;
      case 'Mon':
        group('dayName', '[A-Za-z]{3}');
        break;
      case '02':
        group('day', '\\d{2}');
        break;
      case '_2':
        group('day', ' ?\\d{1,2}');
        break;
      case '2':
        group('day', '\\d{1,2}');
        break;
      case '002':
        group('yday', '\\d{3}');
        break;
      case '15':
        group('hour', '\\d{2}');
        break;
      case '03':
        group('hour12', '\\d{2}');
        break;
      case '3':
        group('hour12', '\\d{1,2}');
        break;
      case '04':
        group('minute', '\\d{2}');
        break;
      case '4':
        group('minute', '\\d{1,2}');
        break;
      case '05':
        group('second', '\\d{2}');
        optionalFraction();
        break;
      case '5':
        group('second', '\\d{1,2}');
        break;
      case 'PM':
      case 'pm':
        group('ampm', '[AaPp][Mm]');
        break;
      case 'MST':
        group('zoneName', '[A-Z]{3,4}|[+-]\\d{4}');
        break;
      case 'Z07:00':
      case 'Z0700':
      case 'Z07':
      case 'Z07:00:00':
        group('zone', 'Z|[+-]\\d{2}(?::?\\d{2})?');
        break;
      case '-07:00':
      case '-0700':
      case '-07':
      case '-07:00:00':
        group('zone', '[+-]\\d{2}(?::?\\d{2})?');
        break;
      default:
        if (/^[.,][09]+$/.test(t)) group('frac', `[.,]\\d${t[1] === '9' ? '*' : `{${t.length - 1}}`}`);
        else src += t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const re = new RegExp(`^${src}$`);
  const m = re.exec(value);
  if (!m)
    return builtinError(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(value)} as ${JSON.stringify(layout)}`,
    );
  names.forEach((n, i) => {
    fields[n] = m[i + 1]!;
  });
  let year = fields.year
    ? Number(fields.year)
    : fields.year2
      ? 1900 + Number(fields.year2) + (Number(fields.year2) < 69 ? 100 : 0)
      : 0;
  if (!fields.year && !fields.year2) year = 0;
  let month = fields.month ? Number(fields.month) : 1;
  if (fields.monthName)
    month = MONTHS.findIndex((x) => x.toLowerCase().startsWith(fields.monthName!.toLowerCase().slice(0, 3))) + 1;
  const day = fields.day ? Number(fields.day.trim()) : 1;
  let hour = fields.hour ? Number(fields.hour) : fields.hour12 ? Number(fields.hour12) % 12 : 0;
  if (fields.ampm && /p/i.test(fields.ampm)) hour += 12;
  const minute = fields.minute ? Number(fields.minute) : 0;
  const second = fields.second ? Number(fields.second) : 0;
  if (month < 1 || month > 12) builtinError(`parsing time ${JSON.stringify(value)}: month out of range`);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    builtinError(`parsing time ${JSON.stringify(value)}: day out of range`);
  const nanos =
    fields.frac && fields.frac.length > 1 ? BigInt(fields.frac.slice(1).padEnd(9, '0').slice(0, 9) || '0') : 0n;
  let offset = 0;
  const z = fields.zone ?? (fields.zoneName && /^[+-]/.test(fields.zoneName) ? fields.zoneName : undefined);
  if (z && z !== 'Z') {
    const digits = z.slice(1).replace(':', '');
    offset = (z[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  return fromParts(year, month, day, hour, minute, second, nanos, offset);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

function parseDuration(s: string): bigint {
  const m0 = /^([+-]?)(.*)$/.exec(s)!;
  const sign = m0[1] === '-' ? -1n : 1n;
  let rest = m0[2]!;
  if (rest === '0') return 0n;
  if (rest === '') builtinError(`time: invalid duration ${JSON.stringify(s)}`);
  let total = 0n;
  while (rest) {
    const m = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m || m[1] === '' || m[1] === '.')
      builtinError(`time: ${m ? 'invalid' : 'missing unit in'} duration ${JSON.stringify(s)}`);
    const [whole, frac = ''] = m![1]!.split('.') as [string, string?];
    const unit = BigInt(DURATION_UNITS[m![2]!]!);
    total += BigInt(whole || '0') * unit;
    if (frac) total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    rest = rest.slice(m![0].length);
  }
  return sign * total;
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
}

export const timeBuiltins: Builtin[] = [
  { name: 'time.now_ns', arity: 0, fn: (_args, ctx) => normalizeBig(ctx.nowNs) },
  { name: 'time.parse_rfc3339_ns', arity: 1, fn: (args) => checkRange(parseRFC3339(str(args, 0))) },
  {
    name: 'time.parse_ns',
    arity: 2,
    fn: (args) => {
      const layout = str(args, 0);
      return checkRange(parseLayout(NAMED_LAYOUTS[layout] ?? layout, str(args, 1)));
    },
  },
  { name: 'time.parse_duration_ns', arity: 1, fn: (args) => normalizeBig(parseDuration(str(args, 0))) },
  {
    name: 'time.date',
    arity: 1,
    fn: (args) => {
      const { date } = civil(args[0]!);
      return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    },
  },
  {
    name: 'time.clock',
    arity: 1,
    fn: (args) => {
      const { date } = civil(args[0]!);
      return [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
    },
  },
  { name: 'time.weekday', arity: 1, fn: (args) => DAYS[civil(args[0]!).date.getUTCDay()]! },
  {
    name: 'time.add_date',
    arity: 4,
    fn: (args) => {
      const c = civil(int(args, 0) as Value);
      const d = c.date;
      const out = fromParts(
        d.getUTCFullYear() + int(args, 1),
        d.getUTCMonth() + 1 + int(args, 2),
        d.getUTCDate() + int(args, 3),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
        BigInt(d.getUTCMilliseconds()) * NS_PER_MS + BigInt(c.nanos),
        0,
      );
      return checkRange(out);
    },
  },
  {
    name: 'time.diff',
    arity: 2,
    fn: (args) => {
      const a = civil(args[0]!, 1);
      const b = civil(args[1]!, 2);
      // both instants on the first one's clock
      let x = a.date;
      let y = new Date(b.date.getTime() + (a.offsetMin - b.offsetMin) * 60000);
      if (x.getTime() > y.getTime()) [x, y] = [y, x];
      let year = y.getUTCFullYear() - x.getUTCFullYear();
      let month = y.getUTCMonth() - x.getUTCMonth();
      let day = y.getUTCDate() - x.getUTCDate();
      let hour = y.getUTCHours() - x.getUTCHours();
      let min = y.getUTCMinutes() - x.getUTCMinutes();
      let sec = y.getUTCSeconds() - x.getUTCSeconds();
      if (sec < 0) {
        sec += 60;
        min--;
      }
      if (min < 0) {
        min += 60;
        hour--;
      }
      if (hour < 0) {
        hour += 24;
        day--;
      }
      if (day < 0) {
        day += daysIn(x.getUTCFullYear(), x.getUTCMonth());
        month--;
      }
      if (month < 0) {
        month += 12;
        year--;
      }
      return [year, month, day, hour, min, sec];
    },
  },
  {
    name: 'time.format',
    arity: 1,
    fn: (args) => {
      const c = civil(args[0]!);
      return formatLayout(c, NAMED_LAYOUTS[c.layout ?? ''] ?? c.layout ?? NAMED_LAYOUTS.RFC3339Nano!);
    },
  },
];
