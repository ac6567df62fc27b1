/**
 * The runtime image (deploy/Dockerfile) as the tests read it: its last stage's instructions and the
 * environment that stage sets. vitest.config.ts starts the test processes with that environment's
 * MALLOC_ARENA_MAX, so the soak measures the process as the image runs it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, Env, type Instruction } from 'dockerfile-ast';

const DOCKERFILE = path.resolve(import.meta.dirname, '../../deploy/Dockerfile');

/** The instructions from the last FROM on: what the shipped image is built from. */
export function runtimeStage(text = readFileSync(DOCKERFILE, 'utf8')): Instruction[] {
  const df = DockerfileParser.parse(text);
  const ins = df.getInstructions();
  return ins.slice(ins.lastIndexOf(df.getFROMs().at(-1)!));
}

/** Every `ENV name=value` of the runtime stage, later ones winning as in Docker. */
export function runtimeEnv(text?: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of runtimeStage(text)) {
    if (i instanceof Env) for (const p of i.getProperties()) env[p.getName()] = p.getUnescapedValue() ?? '';
  }
  return env;
}
