// The Lua files themselves (no Redis needed): naming, documented headers, and how they are found
// from src/ (vitest) and from the compiled dist/.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { luaDirectory, luaDirectoryCandidates, luaScripts } from '../../../src/reference/store/redis/scripts.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const SOURCE_LUA = join(ROOT, 'src/reference/store/redis/lua');

function parts(source: string): { header: string; body: string } {
  const match = /^--\[\[\n([\s\S]*?)\n\]\]\n([\s\S]*)$/.exec(source);
  if (!match) throw new Error('no leading --[[ ... ]] header');
  return { header: match[1]!, body: match[2]! };
}

const indexes = (text: string, name: 'KEYS' | 'ARGV'): number[] =>
  [...new Set([...text.matchAll(new RegExp(`${name}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1])))].sort((a, b) => a - b);

describe('Lua scripts on disk', () => {
  const files = readdirSync(SOURCE_LUA).filter((file) => file.endsWith('.lua'));

  it('are the five store operations, each named <name>-<number of keys>.lua', () => {
    expect(files.sort()).toEqual(['begin-1.lua', 'complete-1.lua', 'extend-1.lua', 'lookup-1.lua', 'release-1.lua']);
  });

  it.each(files)('%s documents KEYS, ARGV and the output in its header, and uses exactly the keys its name declares', (file) => {
    const { header, body } = parts(readFileSync(join(SOURCE_LUA, file), 'utf8'));
    expect(header).toMatch(/Input:/);
    expect(header).toMatch(/Output:/);
    const declaredKeys = Number(/-(\d+)\.lua$/.exec(file)![1]);
    expect(indexes(body, 'KEYS')).toEqual(Array.from({ length: declaredKeys }, (_, i) => i + 1));
    expect(indexes(header, 'KEYS')).toEqual(indexes(body, 'KEYS'));
    expect(indexes(header, 'ARGV')).toEqual(indexes(body, 'ARGV'));
    expect(body).not.toMatch(/redis\.call\(\s*["'](KEYS|SCAN|FLUSH)/i);
  });

  it('are loaded with the key count taken from the file name', () => {
    const scripts = luaScripts();
    expect(scripts.map((s) => [s.name, s.numberOfKeys])).toEqual([
      ['begin', 1],
      ['lookup', 1],
      ['complete', 1],
      ['release', 1],
      ['extend', 1],
    ]);
    for (const script of scripts) expect(script.lua).toBe(readFileSync(join(SOURCE_LUA, script.file), 'utf8'));
  });

  it('are found next to the module under src/', () => {
    expect(luaDirectory()).toBe(SOURCE_LUA);
  });

  it('are found from the compiled dist/ module via the package root', () => {
    const compiled = pathToFileURL(join(ROOT, 'dist/reference/store/redis/store.js')).href;
    const candidates = luaDirectoryCandidates(compiled);
    expect(candidates[0]).toBe(join(ROOT, 'dist/reference/store/redis/lua'));
    expect(candidates[1]).toBe(SOURCE_LUA);
    expect(candidates.slice(0, 2)).toContain(luaDirectory(compiled));
  });

  it('fail with the folders tried when they cannot be found', () => {
    const nowhere = pathToFileURL('/nonexistent-idemaudit/dist/store.js').href;
    expect(() => luaDirectory(nowhere)).toThrow(/Lua scripts not found; looked in \/nonexistent-idemaudit\/dist\/lua/);
  });
});
