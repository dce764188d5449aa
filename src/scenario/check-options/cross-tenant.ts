// Options of the `cross-tenant` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const CrossTenantOptions = z.strictObject({
  tenants: z.tuple([z.string(), z.string()]).optional().describe('The two tenants to use (default: the first two declared)'),
});
export type CrossTenantOptions = z.output<typeof CrossTenantOptions>;
