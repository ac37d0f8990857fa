// `npm run dev`: WXT in watch mode (extension rebuilt on save into .output/chrome-mv3-dev) and the backend with
// tsx watch, in one process group; Ctrl-C stops both.
import { spawn } from 'node:child_process';

const children = [
  spawn('npx', ['wxt'], { stdio: 'inherit' }),
  spawn('npx', ['tsx', 'watch', 'backend/start.ts'], {
    stdio: 'inherit',
    env: { ...process.env, FULCRUM_SKIP_EXTENSION_BUILD: 'true' },
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
