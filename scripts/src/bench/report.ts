// Shared output of every benchmark: a table on stdout and a JSON record under bench-results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface BenchRow {
  metric: string;
  target?: string;
  result: string;
  /** true / false when the row has a target, undefined otherwise. */
  pass?: boolean;
}

export interface BenchReport {
  name: string;
  rows: BenchRow[];
  /** Raw figures for later comparison; anything JSON-serialisable. */
  data?: Record<string, unknown>;
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function writeBenchReport(report: BenchReport, outDir = join(process.cwd(), 'bench-results')): string {
  const date = new Date().toISOString();
  console.log(`\n${report.name} — ${date} — ${machineDescription()}`);
  console.table(
    report.rows.map((row) => ({
      metric: row.metric,
      target: row.target ?? '',
      result: row.result,
      pass: row.pass === undefined ? '' : row.pass ? 'yes' : 'NO',
    })),
  );
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${report.name}-${date.replaceAll(':', '-')}.json`);
  writeFileSync(file, JSON.stringify({ ...report, date, machine: machineDescription() }, null, 2));
  console.log(`written ${file}`);
  return file;
}
