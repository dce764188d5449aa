#!/usr/bin/env node
// Tiny entry point: the CLI lives in dist/cli; this file only hands it argv and sets the exit code.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
