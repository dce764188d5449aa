// `idemaudit explain <check>`: what the check sends, what it judges, every option (from its schema).
import { EXIT } from '../../core/errors.js';
import { explainText, optionsMarkdown } from '../../checks/explain.js';
import type { CliIO } from '../io.js';

export function explainCommand(check: string | undefined, flags: { markdown?: boolean }, io: CliIO): number {
  if (flags.markdown) {
    io.stdout.write(optionsMarkdown());
    return EXIT.ok;
  }
  if (!check) {
    io.stderr.write('idemaudit: explain needs a check id (see `idemaudit list checks`), or --markdown for every check\n');
    return EXIT.usage;
  }
  io.stdout.write(explainText(check));
  return EXIT.ok;
}
