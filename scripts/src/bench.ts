// `npm run bench -- <name>|all`: runs benchmark modules from ./bench/<name>.ts. Each module exports
// `run(args: string[]): Promise<BenchReport>`.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchReport, type BenchReport } from './bench/report.ts';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'report.ts' && !file.endsWith('.test.ts'))
  .map((file) => file.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (name === undefined || (name !== 'all' && !available.includes(name))) {
  console.error(`usage: npm run bench -- <${['all', ...available].join('|')}> [options]`);
  process.exit(2);
}

// `all` runs every benchmark even when one of them throws (a busy reader, a missing service): the
// failure is reported and counted, and the next benchmark still runs.
const failures: string[] = [];
for (const bench of name === 'all' ? available : [name]) {
  try {
    const module = (await import(join(benchDir, `${bench}.ts`))) as {
      run: (args: string[]) => Promise<BenchReport>;
    };
    const report = await module.run(args);
    writeBenchReport(report);
    if (report.rows.some((row) => row.pass === false)) failures.push(`${bench}: a target was missed`);
  } catch (error) {
    console.error(`\n${bench} failed:`, error);
    failures.push(`${bench}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (failures.length > 0) console.error(`\nbenchmarks that failed or missed a target:\n  ${failures.join('\n  ')}`);
process.exit(failures.length > 0 ? 1 : 0);
