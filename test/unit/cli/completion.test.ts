// Shell completion is generated from the commander program: every command and option that --help
// shows must be in both scripts, the bash one must parse and complete, and the zsh one must parse.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { fakeIO } from '../../helpers/fake-io.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIO();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** Commands and their option names, read back from --help text (independently of the generator). */
async function fromHelp(): Promise<Map<string, string[]>> {
  const root = (await cli(['--help'])).out;
  const commands = [...root.split('Commands:')[1]!.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  const result = new Map<string, string[]>();
  for (const command of commands) {
    const help = (await cli([command, '--help'])).out;
    result.set(
      command,
      [...help.matchAll(/(?:^|, | )(--?[a-zA-Z][\w-]*)(?=[ ,]|$)/gm)].map((m) => m[1]!).filter((o) => help.includes(`  ${o}`) || help.includes(`, ${o}`)),
    );
  }
  return result;
}

const hasShell = (shell: string): boolean => spawnSync(shell, ['-c', 'true']).status === 0;

describe('idemaudit completion', () => {
  let help: Map<string, string[]>;
  let bash: string;
  let zsh: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-completion-'));

  beforeAll(async () => {
    help = await fromHelp();
    bash = (await cli(['completion', 'bash'])).out;
    zsh = (await cli(['completion', 'zsh'])).out;
    writeFileSync(path.join(dir, 'idemaudit.bash'), bash);
    writeFileSync(path.join(dir, '_idemaudit'), zsh);
  });

  it('finds the commands and options in --help (the oracle itself works)', () => {
    expect([...help.keys()]).toEqual(expect.arrayContaining(['run', 'check', 'serve', 'compare', 'list', 'completion']));
    expect(help.get('run')).toEqual(expect.arrayContaining(['--target', '-t', '--env-file', '--fail-on', '--help']));
    expect(help.get('serve')).toEqual(expect.arrayContaining(['--store', '--redis-url', '--flaw']));
    expect([...help.values()].flat().length).toBeGreaterThan(100);
  });

  it('names every command and every option of every command, in both shells', () => {
    for (const [command, options] of help) {
      expect(bash).toContain(`    ${command})`);
      expect(zsh).toContain(`'${command}:`);
      expect(zsh).toContain(`    (${command})`);
      // The block of this command in each script.
      const bashBlock = bash.split(`\n    ${command})\n`)[1]!.split(/\n {4}[a-z]+\)\n/)[0]!;
      const zshBlock = zsh.split(`\n        (${command})\n`)[1]!.split(/\n {8}\([a-z]+\)\n/)[0]!;
      for (const option of options) {
        expect(bashBlock.split(/[\s"|]/), `${command} ${option} (bash)`).toContain(option);
        expect(zshBlock, `${command} ${option} (zsh)`).toMatch(new RegExp(`[{,'(]${option}[,}\\[ )]`));
      }
    }
  });

  it('offers the declared choices as values', () => {
    expect(bash).toContain('--fail-on) COMPREPLY=($(compgen -W "violation deviation"');
    expect(zsh).toContain("'--store[idempotency store]:kind:(memory redis postgres)'");
  });

  it('rejects an unknown shell with a usage error', async () => {
    const r = await cli(['completion', 'fish']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bash, zsh/);
  });

  it('bash: the script parses and completes commands, options, choices and files', () => {
    execFileSync('bash', ['-n', path.join(dir, 'idemaudit.bash')]);
    writeFileSync(path.join(dir, 'probe.txt'), '');
    const probe = (words: string[]): string =>
      execFileSync(
        'bash',
        [
          '-c',
          `
      source "$1"; shift
      COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); COMPREPLY=()
      _idemaudit; printf '%s\\n' "\${COMPREPLY[@]}"`,
          'probe',
          path.join(dir, 'idemaudit.bash'),
          'idemaudit',
          ...words,
        ],
        { encoding: 'utf8', cwd: dir },
      ).trim();
    expect(probe(['ru'])).toBe('run');
    expect(probe(['com']).split('\n').sort()).toEqual(['compare', 'completion']);
    expect(probe(['run', '--env-'])).toBe('--env-file');
    expect(probe(['run', '--fail-on', 'v'])).toBe('violation');
    expect(probe(['list', 'f']).split('\n').sort()).toEqual(['faults', 'flaws']);
    expect(probe(['serve', '--store', ''])).toBe('memory\nredis\npostgres');
    expect(probe(['completion', 'z'])).toBe('zsh');
    // A positional scenario after an option with a value completes file names.
    expect(probe(['run', '--target', 'http://x', 'pro'])).toBe('probe.txt');
    // A free-text value gets no suggestions.
    expect(probe(['run', '--seed', ''])).toBe('');
  });

  it.runIf(hasShell('zsh'))('zsh: the script parses and registers with compinit', () => {
    execFileSync('zsh', ['-n', path.join(dir, '_idemaudit')]);
    const out = execFileSync(
      'zsh',
      ['-f', '-c', `fpath=("${dir}" $fpath); autoload -Uz compinit; compinit -u -d "${dir}/.zcompdump"; print -r -- "\${_comps[idemaudit]}"`],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('_idemaudit');
  });
});
