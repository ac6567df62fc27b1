/**
 * vitest global setup for the contract suites: unless GENPROBE_TARGET names a real target, start
 * the bundled emulator (time-scaled) once for all suite files and hand its URL to them.
 */
import type { TestProject } from 'vitest/node';

let close: (() => Promise<void>) | undefined;

export default async function setup(project: TestProject) {
  let target = process.env.GENPROBE_TARGET;
  const timeScale = Number(process.env.GENPROBE_TIME_SCALE ?? (target ? '1' : '0.01'));
  if (!target) {
    const { createEmulator } = await import('../../src/emulator/index.ts');
    // ryla-lora's deployment is unknown (docs/fleet.md §1); deploy it here so its contract is exercised too.
    const server = await createEmulator({ timeScale, deployed: { 'ryla-lora': true } }).listen(0);
    close = server.close;
    target = `${server.url}/{app}`;
  }
  project.provide('genprobeTarget', target);
  project.provide('genprobeTimeScale', timeScale);
  return async () => {
    await close?.();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    genprobeTarget: string;
    genprobeTimeScale: number;
  }
}
