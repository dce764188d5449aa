// The Lua scripts of the Redis store: files in ./lua named `<name>-<number of keys>.lua`, read from
// disk once per process and registered on each client with ioredis `defineCommand`. ioredis then
// sends EVALSHA, falls back to EVAL (which also loads the script) on NOSCRIPT, and sends EVAL the
// first time a script is used on a socket. On a node-redis client (bindNodeRedisScripts) the same:
// EVALSHA, and EVAL once when the server answers NOSCRIPT.
//
// Where the files are: next to this module under src/ (vitest, tsx); from the compiled
// dist/reference/store/redis/ there is no ./lua, so we walk up to the package root (the folders
// with a package.json) and use src/reference/store/redis/lua, which the package ships.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis } from 'ioredis';

const SCRIPT_FILES = {
  begin: 'begin-1.lua',
  lookup: 'lookup-1.lua',
  complete: 'complete-1.lua',
  release: 'release-1.lua',
  extend: 'extend-1.lua',
} as const;

export type ScriptName = keyof typeof SCRIPT_FILES;

export interface LuaScript {
  name: ScriptName;
  file: string;
  numberOfKeys: number;
  lua: string;
}

type ScriptArg = string | Buffer | number;
type ScriptFunction = (...args: ScriptArg[]) => Promise<unknown>;

/** One store call, as the store's deadline sees it: `late` turns true when the deadline fires. */
export interface ScriptCall {
  late: boolean;
}

/** The scripts bound to one client; each call is one EVALSHA round trip. */
export type BoundScripts = Record<ScriptName, (call: ScriptCall, ...args: ScriptArg[]) => Promise<unknown>>;

const SOURCE_DIR = join('src', 'reference', 'store', 'redis', 'lua');
const MAX_PARENT_HOPS = 10;

/** Folders tried, in order, for the Lua files. */
export function luaDirectoryCandidates(moduleUrl: string = import.meta.url): string[] {
  const here = dirname(fileURLToPath(moduleUrl));
  const candidates = [join(here, 'lua')];
  let dir = here;
  for (let hop = 0; hop < MAX_PARENT_HOPS; hop++) {
    // Every ancestor with a package.json, nearest first: a nested one (say dist/package.json with
    // {"type": "module"}) must not hide the package root.
    if (existsSync(join(dir, 'package.json'))) candidates.push(join(dir, SOURCE_DIR));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return candidates;
}

export function luaDirectory(moduleUrl: string = import.meta.url): string {
  const candidates = luaDirectoryCandidates(moduleUrl);
  const found = candidates.find((dir) => existsSync(join(dir, SCRIPT_FILES.begin)));
  if (found === undefined) {
    throw new Error(`Redis store: Lua scripts not found; looked in ${candidates.join(', ')} (the package must ship src/**/*.lua)`);
  }
  return found;
}

function keyCount(file: string): number {
  const match = /-(\d+)\.lua$/.exec(file);
  if (!match?.[1]) throw new Error(`Redis store: Lua file ${file} does not end in -<number of keys>.lua`);
  return Number(match[1]);
}

let loaded: readonly LuaScript[] | undefined;

/** The scripts, read from disk on first use and cached for the life of the process. */
export function luaScripts(): readonly LuaScript[] {
  if (loaded === undefined) {
    const dir = luaDirectory();
    loaded = (Object.entries(SCRIPT_FILES) as [ScriptName, string][]).map(([name, file]) => ({
      name,
      file,
      numberOfKeys: keyCount(file),
      lua: readFileSync(join(dir, file), 'utf8'),
    }));
  }
  return loaded;
}

function commandName(name: ScriptName): string {
  return `idemaudit_${name}`;
}

/** Registers the scripts on `client` (idempotent; the command names are namespaced) and returns them bound to it. */
export function bindScripts(client: Redis | Cluster): BoundScripts {
  const methods = client as unknown as Record<string, ScriptFunction>;
  const bound = {} as BoundScripts;
  for (const script of luaScripts()) {
    const command = commandName(script.name);
    client.defineCommand(command, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    const method = methods[command];
    if (typeof method !== 'function') throw new Error(`Redis store: defineCommand did not create ${command}`);
    // ioredis falls back to EVAL inside the command itself.
    bound[script.name] = (_call, ...args) => method.apply(client, args);
  }
  return bound;
}

/**
 * The node-redis calls the store makes: structural, so `redis` is never imported (it is the
 * application's client, passed in). Standalone clients only (the store refuses a node-redis cluster).
 */
export interface NodeRedisClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * The scripts bound to a node-redis client; each call is one EVALSHA round trip (EVAL after NOSCRIPT).
 * A NOSCRIPT that arrives once the call's deadline has fired is not followed by the EVAL: the store
 * has answered that call already (503), and a late claim would hold the key with a token nobody has.
 */
export function bindNodeRedisScripts(client: NodeRedisClient): BoundScripts {
  const bound = {} as BoundScripts;
  for (const script of luaScripts()) {
    if (script.numberOfKeys !== 1) throw new Error(`Redis store: ${script.file} takes ${script.numberOfKeys} keys; node-redis binding expects 1`);
    const sha = createHash('sha1').update(script.lua).digest('hex');
    bound[script.name] = (call, key, ...rest) => {
      const options = { keys: [String(key)], arguments: rest.map(String) };
      return client.evalSha(sha, options).catch((error: unknown) => {
        if (!isNoScript(error) || call.late) throw error;
        return client.eval(script.lua, options);
      });
    };
  }
  return bound;
}

/** A node-redis client (or cluster, which the store refuses), told apart from ioredis (which has defineCommand and no evalSha). */
export function isNodeRedisClient(client: unknown): client is NodeRedisClient {
  const candidate = client as Record<string, unknown> | null;
  return typeof candidate?.evalSha === 'function' && typeof candidate.defineCommand !== 'function';
}
