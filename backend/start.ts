import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { startBackend } from './server.ts';

/**
 * `npm start`: the whole product on its embedded defaults, in one process group. Ctrl-C stops everything.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const closers: Array<() => Promise<void> | void> = [];

  const backend = await startBackend(config);
  closers.push(() => backend.close());

  const extensionDir = path.resolve('.output/chrome-mv3');
  if (!config.FULCRUM_SKIP_EXTENSION_BUILD) {
    console.log('Building the extension…');
    await run('npx', ['wxt', 'build']);
  }

  const lines = [
    '',
    'Fulcrum is running.',
    `  Backend:   http://${config.HOST}:${config.PORT}  (health: /healthz, data: ${config.dataDir})`,
    `  Extension: ${extensionDir}`,
    '             Load it in Chrome: chrome://extensions → Developer mode → Load unpacked → pick that folder.',
    '',
    'Press Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    for (const close of closers.reverse()) await close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `Fulcrum failed to start: ${(error as Error).message}`);
  process.exit(1);
});
