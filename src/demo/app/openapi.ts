// GET /openapi.yaml: the demo API's own OpenAPI document (scenarios/openapi/payments.yaml, shipped in
// the package), so `idemaudit inventory http://127.0.0.1:4000/openapi.yaml` works against serve.
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { notFound } from './respond.js';

// Same depth from src/demo/app and dist/demo/app: three levels up is the package root.
const SPEC_FILE = fileURLToPath(new URL('../../../scenarios/openapi/payments.yaml', import.meta.url));

let cached: Promise<Buffer> | undefined;

export async function sendOpenApi(res: ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    cached ??= readFile(SPEC_FILE);
    body = await cached;
  } catch {
    cached = undefined;
    return notFound(res, 'the OpenAPI document');
  }
  res.statusCode = 200;
  res.setHeader('content-type', 'application/yaml; charset=utf-8');
  res.end(body);
}
