// Entry of every genprobe worker thread: the sources are TypeScript, so the thread registers tsx's loader
// (as bin/genprobe.mjs does for the CLI) before it loads the module named in workerData.module (a file URL).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
