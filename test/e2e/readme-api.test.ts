// The README's programmatic API example is code, not prose: extracted from README.md, type-checked
// with tsc against the compiled package's declarations (strict), then run with Node.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const run = promisify(execFile);
const MARKER = '<!-- example: programmatic-api';

/** The first ```ts block after the marker comment. */
export function readmeExample(readme: string): string {
  const at = readme.indexOf(MARKER);
  if (at < 0) throw new Error('README.md has no programmatic API example marker');
  const block = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(at));
  if (!block) throw new Error('no ```ts block after the marker');
  return block[1]!;
}

// A consumer folder whose node_modules/idemaudit links to this checkout: `import 'idemaudit'`
// resolves through package.json's "exports" to dist/, the files and types a user's install gets.
const dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-readme-'));
mkdirSync(path.join(dir, 'node_modules'));
symlinkSync(ROOT, path.join(dir, 'node_modules', 'idemaudit'), 'dir');
writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'readme-example', private: true, type: 'module' }));
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TSC_FLAGS = [
  '--module',
  'nodenext',
  '--moduleResolution',
  'nodenext',
  '--target',
  'es2023',
  '--strict',
  '--noUncheckedIndexedAccess',
  '--skipLibCheck',
  '--types',
  'node',
  '--typeRoots',
  path.join(ROOT, 'node_modules', '@types'),
  '--rootDir',
  dir,
];

describe('README programmatic API example', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('type-checks against dist/*.d.ts and runs, writing the reports it names', { timeout: 180_000 }, async () => {
    const code = readmeExample(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(code).toContain("from 'idemaudit'");
    writeFileSync(path.join(dir, 'example.ts'), code);
    await run(process.execPath, [TSC, ...TSC_FLAGS, '--outDir', path.join(dir, 'out'), path.join(dir, 'example.ts')], { cwd: dir }).catch(
      (err: { stdout?: string }) => {
        throw new Error(`tsc rejected the README example:\n${err.stdout}`);
      },
    );

    const { stdout } = await run(process.execPath, [path.join(dir, 'out', 'example.js')], {
      cwd: dir,
      timeout: 60_000,
      env: { ...process.env, API_TOKEN: 'readme-canary-token' },
    });
    expect(stdout).toContain('concurrent-duplicates: pass');
    expect(stdout).toMatch(/verdict pass, \d+ bytes of JUnit, wrote reports\/payments-\S+\.json, reports\/payments-\S+\.sarif, reports\/payments-\S+\.html/);
    const written = readdirSync(path.join(dir, 'reports'));
    expect(written.filter((f) => /\.(json|sarif|html)$/.test(f))).toHaveLength(3);
    const json = readFileSync(
      path.join(
        dir,
        'reports',
        written.find((f) => f.endsWith('.json'))!,
      ),
      'utf8',
    );
    expect(JSON.parse(json).seed).toBe('readme-example');
    expect(json).not.toContain('readme-canary-token');
  });

  it('a type error in the example would fail the check (the compiler really checks it)', { timeout: 180_000 }, async () => {
    writeFileSync(
      path.join(dir, 'broken.ts'),
      "import { runAudit } from 'idemaudit';\nconst n: number = await runAudit({} as never, { only: 'not-a-list' });\nconsole.log(n);\n",
    );
    const result = await run(process.execPath, [TSC, ...TSC_FLAGS, '--noEmit', path.join(dir, 'broken.ts')], { cwd: dir }).then(
      () => 'compiled',
      (err: { stdout?: string }) => err.stdout ?? '',
    );
    expect(result).toMatch(/error TS2322|error TS2345/);
    expect(result).not.toContain('TS2209'); // not some unrelated setup error
    expect(existsSync(path.join(dir, 'broken.js'))).toBe(false);
  });
});
