// Before the suites: the reply record starts empty, so the check after them sees this run alone.
import { resetReplyRecords } from './reply-coverage.ts';

export default function setup(): void {
  resetReplyRecords();
}
