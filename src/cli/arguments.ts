/**
 * One way for every command to read its arguments (node:util's parseArgs, strict): `--help`
 * prints the usage on stdout and exits 0; an unknown option or a missing value prints the reason
 * and the usage on stderr and exits 2 — no stack trace for a user's mistake.
 */
import { parseArgs } from "node:util";

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

export interface CommandSpec<O extends Options> {
  /** "npm run ask --" */
  readonly name: string;
  /** The usage lines and what the command does, printed by --help. */
  readonly usage: string;
  readonly options: O;
  readonly positionals?: boolean;
}

export function commandLine<O extends Options>(spec: CommandSpec<O>, argv: readonly string[] = process.argv.slice(2)) {
  const options = { ...spec.options, help: { type: "boolean", short: "h" } } as const;
  try {
    const parsed = parseArgs({ args: argv.filter((a) => a !== "--"), options, allowPositionals: spec.positionals ?? false, strict: true });
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(`${spec.usage.trimEnd()}\n`);
      process.exit(0);
    }
    return parsed as { values: { [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : string }; positionals: string[] };
  } catch (error) {
    process.stderr.write(`${spec.name}: ${(error as Error).message.split("\n")[0]}\n${spec.usage.trimEnd()}\n`);
    process.exit(2);
  }
}
