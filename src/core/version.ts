import { readFileSync } from 'node:fs';

// package.json sits two levels above both src/core/ (vitest) and dist/core/ (built).
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
