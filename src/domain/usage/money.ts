/**
 * Exact money text: integer micro-dollars (as PostgreSQL's numeric text) → a decimal USD string
 * with six decimals, e.g. `1234567` → `1.234567`. No float ever holds an amount.
 */
export function usdFromMicros(micros: string): string {
  const negative = micros.startsWith('-');
  const digits = (negative ? micros.slice(1) : micros).replace(/\.0*$/, '').padStart(7, '0');
  if (!/^\d+$/.test(digits)) throw new Error(`not an integral amount of micro-dollars: ${micros}`);
  const text = `${digits.slice(0, -6).replace(/^0+(?=\d)/, '')}.${digits.slice(-6)}`;
  return negative && /[1-9]/.test(digits) ? `-${text}` : text;
}
