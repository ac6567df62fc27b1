/**
 * The in-process fleet emulator for the tests of one describe block: started in beforeAll on a free
 * port, closed in afterAll, so a test file does not write that lifecycle out again.
 */
import { afterAll, beforeAll } from 'vitest';
import { createEmulator, type EmulatorOptions } from '../../src/emulator/index.ts';

export interface SuiteEmulator {
  /** Base URL of the running emulator; read it inside a test or hook (it starts in beforeAll). */
  readonly url: string;
}

/** Registers the beforeAll/afterAll pair of an emulator with `options` in the current describe block. */
export function useEmulator(options: EmulatorOptions): SuiteEmulator {
  let server: { url: string; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    server = await createEmulator(options).listen(0);
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    get url() {
      if (!server) throw new Error('the emulator starts in beforeAll: read its url inside a test or hook, not while the suite is collected');
      return server.url;
    },
  };
}
