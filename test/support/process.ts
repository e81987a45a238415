import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How to run the CLI: the TypeScript source through tsx, or a compiled copy elsewhere. */
export interface Entry {
  cwd: string;
  args: string[];
}
const SOURCE: Entry = { cwd: ROOT, args: ['--import', 'tsx', 'src/main.ts'] };

/** Environment for a child: ours minus the database and server variables a test sets itself. */
function childEnv(env: Record<string, string>) {
  const base = { ...process.env };
  for (const k of ['DATABASE_URL', 'READ_ONLY', 'PORT', 'HOST', 'DATA_DIR']) delete base[k];
  return { ...base, ...env };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string>, entry = SOURCE): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry.args, ...args], { cwd: entry.cwd, env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  token?: string;
  log: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `serve` on a free port and waits for the printed GraphiQL URL. */
export function startServer(env: Record<string, string>, { entry = SOURCE, timeoutMs = 30_000 }: { entry?: Entry; timeoutMs?: number } = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, [...entry.args, 'serve'], { cwd: entry.cwd, env: childEnv({ PORT: '0', ...env }) });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      log += d.toString();
      const url = /GraphiQL: (\S+)/.exec(log)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        child,
        url,
        token: /Demo owner token \(Coder-Session-Token\): (\S+)/.exec(log)?.[1],
        log: () => log,
        async stop(signal = 'SIGTERM') {
          child.kill(signal);
          return exited;
        },
      });
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
}
