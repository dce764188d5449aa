// Preloaded into the server by memory-curve.mjs (node --import): writes the process's own
// memoryUsage() to $HEAP_PROBE_FILE every 250 ms, so the bench can draw the V8 heap beside RSS
// without the server exporting a heap gauge. Bench-only; never loaded by the CLI itself.
import { writeFileSync } from 'node:fs';

const file = process.env.HEAP_PROBE_FILE;
if (file) {
  const write = () => {
    try {
      writeFileSync(file, JSON.stringify(process.memoryUsage()));
    } catch {
      // A bench aid must never disturb the server.
    }
  };
  write();
  setInterval(write, 250).unref();
}
