// Once per vitest run, in the main process before any worker starts: the run's id, which every worker
// inherits, so the reply records of this run stay apart from those of runs beside it.
import { startReplyRun } from './reply-coverage.ts';

export default function setup(): void {
  process.env.REDTAP_REPLY_RUN ??= startReplyRun(Date.now());
}
