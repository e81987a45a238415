import { DatabaseUnavailableError, type Queryable } from './db.ts';
import { detectCapabilities, presentCapabilities, type Capabilities } from './capabilities.ts';
import type { Statement } from './sql.ts';

// SQLSTATEs saying the schema is not what was detected: undefined_table, undefined_column.
const SCHEMA_CHANGED = new Set(['42P01', '42703']);

/**
 * The capabilities of one database, detected on first need and kept until the connection is
 * lost or a statement meets a table or column that is gone: the next need detects again, so a
 * gateway that reconnects to an upgraded (or restored) Coder database follows it. One per
 * database handle, created by whoever opens it; never module state.
 */
export class SchemaProbe {
  private pending: Promise<Capabilities> | null = null;
  private known: Capabilities | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly onDetected: (caps: Capabilities) => void = () => {},
  ) {}

  /** The capabilities, detecting them if not known (one catalog statement). */
  current(): Promise<Capabilities> {
    this.pending ??= detectCapabilities(this.db).then(
      (caps) => {
        this.known = caps;
        this.onDetected(caps);
        return caps;
      },
      (err: unknown) => {
        this.pending = null;
        throw err;
      },
    );
    return this.pending;
  }

  /** Forget what was detected; the next `current()` reads the catalog again. */
  invalidate(): void {
    this.pending = null;
    this.known = null;
  }

  /** The capabilities detected so far; null before the first detection succeeds. */
  detected(): Capabilities | null {
    return this.known;
  }

  /**
   * `db` with errors watched: a lost connection or a vanished table/column invalidates the
   * detected capabilities (the error itself still reaches the caller).
   */
  watching(db: Queryable): Queryable {
    const watch = async <T,>(send: () => Promise<T>): Promise<T> => {
      try {
        return await send();
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        if (err instanceof DatabaseUnavailableError || (typeof code === 'string' && SCHEMA_CHANGED.has(code))) this.invalidate();
        throw err;
      }
    };
    // Snapshots and shared reads pass through watched, like every other wrapper of a Queryable.
    return {
      query: <T,>(s: Statement) => watch(() => db.query<T>(s)),
      ...(db.queryShared && { queryShared: <T,>(s: Statement) => watch(() => db.queryShared!<T>(s)) }),
      ...(db.snapshot && { snapshot: <T,>(fn: (q: Queryable) => Promise<T>) => watch(() => db.snapshot!((inner) => fn(this.watching(inner)))) }),
    };
  }
}

/**
 * What a readiness body adds: the optional Coder parts detected (`capabilities`, names as in
 * Capabilities), absent until the first detection succeeds.
 */
export function capabilitiesReport(schema: SchemaProbe): { capabilities?: string[] } {
  const caps = schema.detected();
  return caps ? { capabilities: presentCapabilities(caps) } : {};
}
