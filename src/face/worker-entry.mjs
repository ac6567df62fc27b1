// Entry of the face worker thread: genprobe's sources are TypeScript, so the worker registers tsx's loader
// (as bin/genprobe.mjs does for the CLI) before it loads the worker's module.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
