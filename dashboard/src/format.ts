// Number formatting for people, in the browser's language: currency with the precision its size
// needs, token counts with separators, durations in ms or s. Amounts arrive as exact decimal
// strings from the API; they are formatted here for display only (the exact string stays in each
// figure's data-value). Amounts are US dollars whatever the language ("1.234,57 $" in German).

const usdCents = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdSmall = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumSignificantDigits: 2 });
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const seconds = [2, 1].map((digits) => new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }));

/** "$1,234.57"; below a cent, two significant digits ("$0.0042") rather than a misleading "$0.00". */
export function usd(amount: string | number): string {
  const n = typeof amount === 'string' ? Number(amount) : amount;
  if (n !== 0 && Math.abs(n) < 0.01) return usdSmall.format(n);
  return usdCents.format(n);
}

export const tokens = (n: number) => integer.format(n);
export const count = (n: number) => integer.format(n);
export const compactNumber = (n: number) => compact.format(n);
export const ratio = (r: number | null | undefined) => (r == null ? '–' : percent.format(r));

export function duration(ms: number | null | undefined): string {
  if (ms == null) return '–';
  if (ms < 1000) return `${integer.format(ms)} ms`;
  return `${seconds[ms < 10_000 ? 0 : 1].format(ms / 1000)} s`;
}

export function dateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** "1 request", "1,234 requests". */
export const plural = (n: number, one: string, many = `${one}s`) => `${integer.format(n)} ${n === 1 ? one : many}`;
