import { UsageError } from '../errors/index.ts';
import { HELP_FLAG, parseFlags, parseTimeScale } from './flags.ts';

export async function emulateCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('emulate', argv, { ...HELP_FLAG, port: { type: 'string', default: '8787' }, host: { type: 'string', default: '127.0.0.1' }, 'time-scale': { type: 'string', default: '1' } });
  if (values.help) {
    console.log('genprobe emulate [--port 8787] [--host 127.0.0.1] [--time-scale 1]\n  Serve every app of the fleet at http://HOST:PORT/{app}/{path}; faults via x-genprobe-fault or POST /__emulator/faults.');
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port.trim() === '') throw new UsageError(`--port: "${values.port}" is not a port number`);
  const timeScale = parseTimeScale(values['time-scale']);
  const { createEmulator } = await import('../emulator/index.ts');
  const server = await createEmulator({ timeScale }).listen(port, values.host);
  console.log(`genprobe emulator listening on ${server.url} (time scale ${timeScale}); target template: ${server.url}/{app}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
