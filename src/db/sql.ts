/**
 * SQL built only from tagged templates: the text comes from template literals in this codebase,
 * every interpolated value becomes a bind parameter, fragments compose, and an identifier enters
 * only through `sql.ident`. There is no way to pass caller text into a statement, so a statement
 * cannot be built unsafely rather than merely built carefully.
 *
 *   const cond = sql`i.model = ${model}`;
 *   db.query<Row>(named('interceptions.list')`SELECT … WHERE ${cond} LIMIT ${n}`);
 *
 * `named` gives each statement a `/* name *\/` comment, so it can be found in pg_stat_statements
 * and in the statement-count tests; `Queryable.query` accepts nothing else.
 */

/** A piece of SQL: literal text parts with values between them (parts.length = values.length + 1). */
export class SqlFragment {
  /** @internal Use `sql`, `sql.ident` or `sql.join`. */
  constructor(
    readonly parts: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** The text with `$1…$n` placeholders, and its values. */
  compile(): { text: string; values: unknown[] } {
    let text = this.parts[0];
    for (let i = 0; i < this.values.length; i++) text += `$${i + 1}${this.parts[i + 1]}`;
    return { text, values: [...this.values] };
  }
}

/** A whole statement: a fragment with the name its comment carries. */
export class Statement {
  readonly text: string;
  readonly values: readonly unknown[];
  constructor(
    readonly name: string,
    fragment: SqlFragment,
  ) {
    const { text, values } = fragment.compile();
    this.text = `/* ${name} */ ${text}`;
    this.values = values;
  }
}

function isTemplate(strings: unknown): strings is TemplateStringsArray {
  return Array.isArray(strings) && Array.isArray((strings as unknown as TemplateStringsArray).raw);
}

/** Flattens nested fragments into one list of parts and values. */
function build(strings: readonly string[], values: readonly unknown[]): SqlFragment {
  const parts: string[] = [strings[0]];
  const out: unknown[] = [];
  values.forEach((value, i) => {
    if (value instanceof SqlFragment) {
      parts[parts.length - 1] += value.parts[0];
      for (let j = 0; j < value.values.length; j++) {
        out.push(value.values[j]);
        parts.push(value.parts[j + 1]);
      }
      parts[parts.length - 1] += strings[i + 1];
    } else {
      out.push(value);
      parts.push(strings[i + 1]);
    }
  });
  return new SqlFragment(parts, out);
}

const EMPTY = new SqlFragment([''], []);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A SQL fragment; `${value}` binds a parameter, `${fragment}` inlines a fragment. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  if (!isTemplate(strings)) throw new TypeError('sql must be used as a tagged template');
  return build(strings, values);
}

/** An identifier (table alias, CTE name) written as a quoted identifier; only plain names are accepted. */
sql.ident = (name: string): SqlFragment => {
  if (!IDENTIFIER.test(name)) throw new TypeError(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return new SqlFragment([`"${name}"`], []);
};

/** Fragments joined by a separator fragment (e.g. sql` AND `); empty list → empty fragment. */
sql.join = (fragments: readonly SqlFragment[], separator: SqlFragment): SqlFragment => {
  if (fragments.length === 0) return EMPTY;
  const values = fragments.flatMap((f, i) => (i === 0 ? [f] : [separator, f]));
  return build(new Array<string>(values.length + 1).fill(''), values);
};

/** The empty fragment, for optional clauses. */
sql.empty = EMPTY;

const NAME = /^[A-Za-z][A-Za-z0-9_.:-]*$/;

/** A tag for a named statement: named('sessions.count')`SELECT …`. */
export function named(name: string) {
  if (!NAME.test(name)) throw new TypeError(`not a statement name: ${JSON.stringify(name)}`);
  return (strings: TemplateStringsArray, ...values: unknown[]): Statement => new Statement(name, sql(strings, ...values));
}
