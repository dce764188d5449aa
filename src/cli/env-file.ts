// `--env-file <file>`: dotenv syntax, parsed by Node's own util.parseEnv (20.12+), feeding only the
// scenario's ${VAR} interpolation. Values are secrets as far as we know: no message ever prints one.
import { readFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import { UsageError } from '../core/errors.js';
import type { CliIO } from './io.js';

export async function readEnvFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new UsageError(`cannot read the env file ${file}: ${why}`);
  }
  return parseEnv(text) as Record<string, string>;
}

/**
 * The IO with the file's variables added to its environment. As with `node --env-file` and dotenv,
 * a variable already set in the environment wins over the file, so CI secrets override local defaults.
 */
export async function withEnvFile(io: CliIO, file: string | undefined): Promise<CliIO> {
  if (file === undefined) return io;
  const fromFile = await readEnvFile(file);
  return { ...io, env: { ...fromFile, ...io.env } };
}
