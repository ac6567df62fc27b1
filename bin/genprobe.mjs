#!/usr/bin/env node
// genprobe's sources are TypeScript; tsx's loader runs them (and genprobe.config.ts) directly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
