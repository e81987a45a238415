import { err } from './command.ts';

/** A progress bar on stderr: redrawn in place on a terminal, every tenth otherwise (CI logs). */
export function progressBar() {
  let lastTenth = -1;
  return (done: number, total: number) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
    if (process.stderr.isTTY) return void process.stderr.write(`\r${line}${done >= total ? '\n' : ''}`);
    const tenth = total ? Math.floor((done / total) * 10) : 10;
    if (tenth > lastTenth) {
      lastTenth = tenth;
      err(line);
    }
  };
}
