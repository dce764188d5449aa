#!/usr/bin/env node
// Tiny entry point: the CLI lives in dist/cli; this file only hands it argv and sets the exit code.
// Loading the CLI opens a few hundred module files: under a low open-file limit (ulimit -n 100)
// Node reports EMFILE as a missing package with a stack trace, so that case gets one clear line.
import { readFileSync } from 'node:fs';

function openFileLimit() {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch (err) {
    // Reading the limit can itself fail with EMFILE while the loader still holds descriptors.
    return err?.code === 'EMFILE' ? 0 : undefined;
  }
}

let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  const limit = openFileLimit();
  const emfile =
    err?.code === 'EMFILE' ||
    /EMFILE|too many open files/i.test(String(err?.message)) ||
    (err?.code === 'ERR_MODULE_NOT_FOUND' && limit !== undefined && limit < 256);
  if (emfile) {
    process.stderr.write(
      `idemaudit: too many open files while loading (the open-file limit is ${limit ? limit : 'too low'})\n  hint: raise it, e.g. ulimit -n 4096\n`,
    );
  } else {
    process.stderr.write(`idemaudit: cannot load the CLI: ${err?.message ?? String(err)}\n  hint: build it with npm run build\n`);
  }
  process.exit(3);
}

process.exitCode = await main(process.argv.slice(2));
