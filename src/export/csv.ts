/**
 * CSV as RFC 4180 writes it (CRLF line ends, a field quoted when it holds a comma, a double quote,
 * CR or LF, inner quotes doubled), made safe to open in a spreadsheet: a text cell that begins
 * with `=`, `+`, `-`, `@`, TAB or CR would be read as a formula (OWASP's "CSV injection"), so it
 * gets a leading apostrophe, which spreadsheets show as text and do not evaluate. Numeric
 * columns are never prefixed (a number cannot start a formula the guard is for).
 */

/** One column: its header and whether its cells are numbers (written as they are) or text. */
export interface CsvColumn<R> {
  name: string;
  kind: 'text' | 'number';
  value: (row: R) => string | number | boolean | null | undefined;
}

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One text cell, guarded against formulas and quoted where RFC 4180 needs it. */
export function csvText(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** The header row. */
export function csvHeader<R>(columns: readonly CsvColumn<R>[]): string {
  return `${columns.map((c) => csvText(c.name)).join(',')}\r\n`;
}

/** One data row; null and undefined are empty cells. */
export function csvRow<R>(columns: readonly CsvColumn<R>[], row: R): string {
  let line = '';
  for (let n = 0; n < columns.length; n++) {
    const c = columns[n];
    const v = c.value(row);
    if (n > 0) line += ',';
    if (v === null || v === undefined) continue;
    line += c.kind === 'number' ? String(v) : csvText(String(v));
  }
  return `${line}\r\n`;
}
