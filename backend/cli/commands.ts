export type CliCommand = {
  summary: string;
  /** Returns the exit code (0 when omitted). Throws Error with a user-facing message on failure. */
  run(args: string[]): Promise<number | undefined> | number | undefined;
};

/** Every CLI command, by name. Add a command by importing its file here. */
export const commands: Record<string, CliCommand> = {};
