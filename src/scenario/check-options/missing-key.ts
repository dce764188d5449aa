// Options of the `missing-key` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const MissingKeyOptions = z.strictObject({});
export type MissingKeyOptions = z.output<typeof MissingKeyOptions>;
