// Opens (and so migrates) the store at argv[2], then exits: several of these at once race on a new file.
import { openStore } from '../src/store/open-store.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: open-store-child.ts <db path>');
openStore({ path, busyTimeoutMs: 10_000 }).close();
