/** The command table is the one list of commands: the help, the dispatch and the modules agree. */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS, loadCommand, main } from './main.ts';

const CLI_DIR = new URL('./', import.meta.url);

/** Modules of src/cli that export a `<name>Command` named after their file. */
function commandModules(): string[] {
  return readdirSync(CLI_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .filter((name) => new RegExp(`export async function ${name}Command\\b`).test(readFileSync(new URL(`${name}.ts`, CLI_DIR), 'utf8')))
    .sort();
}

describe('the command table', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lists every command module of src/cli, once', () => {
    const names = COMMANDS.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(commandModules());
  });

  it.each(COMMANDS.map(([name]) => name))('%s loads its command function', async (name) => {
    expect(typeof (await loadCommand(name))).toBe('function');
  });

  it('says which module lacks its export', async () => {
    await expect(loadCommand('flags')).rejects.toThrow('src/cli/flags.ts does not export flagsCommand');
  });

  it('prints each command with its summary in the help, and refuses an unknown one with exit 2', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void out.push(String(line)));
    expect(await main(['--help'])).toBe(0);
    for (const [name, summary] of COMMANDS) expect(out[0]).toMatch(new RegExp(`^  ${name} +${summary.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    expect(await main(['nope'])).toBe(2);
    expect(out[1]).toMatch(/^genprobe: unknown command "nope"/);
  });
});
