import { commands } from './commands.ts';

/**
 * `npm run cli -- <command> [args]`. Each command lives in its own file under backend/cli/ and is listed in
 * commands.ts. Errors print one clear line and exit non-zero; no stack traces for users.
 */

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help') {
    console.log('Usage: npm run cli -- <command> [options]\n\nCommands:');
    for (const [cmd, load] of Object.entries(commands)) console.log(`  ${cmd.padEnd(22)} ${(await load()).summary}`);
    return 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    console.error(`Unknown command "${name}". Run "npm run cli -- help" for the list.`);
    return 2;
  }
  return (await (await load()).run(rest)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`Error: ${message}`);
    process.exit(1);
  },
);
