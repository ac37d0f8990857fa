// Entry of a sandbox worker thread (pool.ts). The backend runs under tsx and the tests under vitest, and a worker
// thread gets neither's TypeScript loader (not even under tsx's CLI, whose loader stays in the main thread), so it
// registers tsx's loader itself, then loads the tasks from their TypeScript source.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runTask, warmUp } = await import('./tasks.ts');
await warmUp();

parentPort.on('message', async (message) => {
  const { id, task, args, limits } = message;
  try {
    const result = await runTask(task, args, limits);
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ id, ok: false, error: { name: e.name, message: e.message } });
  }
});
parentPort.postMessage({ ready: true });
