import type { Reporter } from '../reporter.js';

export const jsonReporter: Reporter = {
  id: 'json',
  extension: 'json',
  description: 'the versioned JSON report, input of every other format',
  render: (report) => `${JSON.stringify(report, null, 2)}\n`,
};
