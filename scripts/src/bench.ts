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

let failed = false;
for (const bench of name === 'all' ? available : [name]) {
  const module = (await import(join(benchDir, `${bench}.ts`))) as {
    run: (args: string[]) => Promise<BenchReport>;
  };
  const report = await module.run(args);
  writeBenchReport(report);
  if (report.rows.some((row) => row.pass === false)) failed = true;
}
process.exit(failed ? 1 : 0);
