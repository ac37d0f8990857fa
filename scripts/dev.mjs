// `npm run dev`: WXT in watch mode (extension rebuilt on save into .output/chrome-mv3-dev) and the backend with
// tsx watch; Ctrl-C or SIGTERM stops both. The binaries are spawned directly: npx does not pass signals on.
import { spawn } from 'node:child_process';

const children = [
  spawn('node_modules/.bin/wxt', [], { stdio: 'inherit' }),
  spawn('node_modules/.bin/tsx', ['watch', 'backend/start.ts'], {
    stdio: 'inherit',
    env: { ...process.env, FULCRUM_SKIP_EXTENSION_BUILD: 'true', FULCRUM_EXTENSION_DIR: '.output/chrome-mv3-dev' },
  }),
];
const stop = () => {
  for (const child of children) child.kill('SIGINT');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) {
  child.on('exit', (code) => {
    if (code) {
      stop();
      process.exitCode = code;
    }
  });
}
