// `idemaudit completion bash|zsh`: the script is generated at run time from the commander program
// itself (commands, options, value choices, positional arguments), so it cannot drift from the CLI.
import type { Argument, Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** What a value is completed with: fixed words, file names, directory names, or nothing. */
type ValueKind = { words: string[] } | { files: true } | { dirs: true } | { free: true };

interface OptionSpec {
  names: string[];
  description: string;
  /** Undefined for a flag without a value. */
  value?: { name: string; kind: ValueKind };
}

interface ArgumentSpec {
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  kind: ValueKind;
}

interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  arguments: ArgumentSpec[];
}

const FILE_WORDS = /^(files?|scenario|runs|old|new)$/i;

function kindOf(placeholder: string, choices: readonly string[] | undefined): ValueKind {
  if (choices && choices.length > 0) return { words: [...choices] };
  if (/dir/i.test(placeholder)) return { dirs: true };
  if (FILE_WORDS.test(placeholder)) return { files: true };
  return { free: true };
}

function optionSpec(option: Option): OptionSpec {
  const names = [option.short, option.long].filter((n): n is string => n !== undefined);
  if (!option.required && !option.optional) return { names, description: option.description };
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1]?.replace('...', '') ?? 'value';
  return { names, description: option.description, value: { name: placeholder, kind: kindOf(placeholder, option.argChoices) } };
}

function argumentSpec(arg: Argument): ArgumentSpec {
  const name = arg.name();
  return { name, description: arg.description, required: arg.required, variadic: arg.variadic, kind: kindOf(name, arg.argChoices) };
}

/** The program as data: every visible command with the options and arguments its --help shows. */
export function describeProgram(root: Command): { name: string; options: OptionSpec[]; commands: CommandSpec[] } {
  const help = root.createHelp();
  return {
    name: root.name(),
    options: help.visibleOptions(root).map(optionSpec),
    commands: help
      .visibleCommands(root)
      .filter((cmd) => cmd.name() !== 'help')
      .map((cmd) => ({
        name: cmd.name(),
        description: cmd.description(),
        options: cmd.createHelp().visibleOptions(cmd).map(optionSpec),
        arguments: cmd.registeredArguments.map(argumentSpec),
      })),
  };
}

export function completionScript(root: Command, shell: Shell): string {
  return shell === 'bash' ? bashScript(root) : zshScript(root);
}

// ---- bash ----------------------------------------------------------------------------------------

/** A word list is safe inside double quotes only if it has no shell metacharacters. */
const shellWord = (w: string): string => {
  if (!/^[A-Za-z0-9_.:@%+,/=-]+$/.test(w)) throw new Error(`completion: cannot emit the word ${JSON.stringify(w)}`);
  return w;
};

function bashValue(kind: ValueKind): string {
  if ('words' in kind) return `COMPREPLY=($(compgen -W "${kind.words.map(shellWord).join(' ')}" -- "$cur"))`;
  if ('files' in kind) return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))';
  if ('dirs' in kind) return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur"))';
  return 'COMPREPLY=()';
}

function bashCommand(cmd: CommandSpec): string {
  const lines: string[] = [`    ${shellWord(cmd.name)})`];
  const valued = cmd.options.filter((o) => o.value);
  if (valued.length > 0) {
    lines.push('      case "$prev" in');
    for (const o of valued) lines.push(`        ${o.names.map(shellWord).join('|')}) ${bashValue(o.value!.kind)}; return ;;`);
    lines.push('      esac');
  }
  const words = cmd.options
    .flatMap((o) => o.names)
    .map(shellWord)
    .join(' ');
  lines.push(`      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${words}" -- "$cur")); return; fi`);
  // Positional arguments: the n-th word after the command that is neither an option nor its value.
  if (cmd.arguments.length > 0) {
    lines.push(
      `      local valued=" ${valued
        .flatMap((o) => o.names)
        .map(shellWord)
        .join(' ')} "`,
    );
    lines.push('      local n=0 j');
    lines.push('      for ((j=cmd_at+1; j<COMP_CWORD; j++)); do');
    lines.push('        case "${COMP_WORDS[j]}" in');
    lines.push('          -*=*) ;;');
    lines.push('          -*) [[ "$valued" == *" ${COMP_WORDS[j]} "* ]] && ((j++)) ;;');
    lines.push('          *) ((n++)) ;;');
    lines.push('        esac');
    lines.push('      done');
    lines.push('      case "$n" in');
    cmd.arguments.forEach((a, i) => {
      const last = i === cmd.arguments.length - 1;
      lines.push(`        ${last && a.variadic ? '*' : String(i)}) ${bashValue(a.kind)} ;;`);
    });
    lines.push('      esac');
  }
  lines.push('      ;;');
  return lines.join('\n');
}

function bashScript(root: Command): string {
  const program = describeProgram(root);
  const fn = `_${program.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const rootWords = [...program.commands.map((c) => c.name), ...program.options.flatMap((o) => o.names)].map(shellWord).join(' ');
  return `# bash completion for ${program.name}, generated by \`${program.name} completion bash\` from its command definitions.
# Install: ${program.name} completion bash > ~/.local/share/bash-completion/completions/${program.name}
#      or: source <(${program.name} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" cmd_at=0 i
  # The command is the first word that is not an option (no root option takes a value).
  for ((i=1; i<COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; cmd_at=$i; break ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${rootWords}" -- "$cur"))
    return
  fi
  case "$cmd" in
${program.commands.map(bashCommand).join('\n')}
  esac
}
complete -F ${fn} ${shellWord(program.name)}
`;
}

// ---- zsh -----------------------------------------------------------------------------------------

/** Text inside a single-quoted zsh word, and inside an _arguments [description]. */
const zshQuote = (s: string): string => s.replace(/'/g, `'\\''`);
const zshDescription = (s: string): string => zshQuote(s.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1'));

function zshAction(kind: ValueKind): string {
  if ('words' in kind) return `(${kind.words.map(shellWord).join(' ')})`;
  if ('files' in kind) return '_files';
  if ('dirs' in kind) return '_files -/';
  return ' ';
}

function zshOption(o: OptionSpec): string {
  // Two spellings: '(-t --target)'{-t,--target}'[...]' lets zsh brace-expand the pair, each excluding the other.
  const head = o.names.length > 1 ? `'(${o.names.join(' ')})'{${o.names.join(',')}}'` : `'${o.names[0]}`;
  const value = o.value ? `:${zshDescription(o.value.name)}:${zshQuote(zshAction(o.value.kind))}` : '';
  return `${head}[${zshDescription(o.description)}]${value}'`;
}

function zshArgument(a: ArgumentSpec, index: number): string {
  const position = a.variadic ? '*' : String(index + 1);
  return `'${position}:${a.required || a.variadic ? '' : ':'}${zshDescription(a.name)}:${zshQuote(zshAction(a.kind))}'`;
}

function zshScript(root: Command): string {
  const program = describeProgram(root);
  const fn = `_${program.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const commands = program.commands.map((c) => `    '${zshQuote(c.name.replace(/:/g, '\\:'))}:${zshQuote(c.description)}'`).join('\n');
  const cases = program.commands
    .map((c) => {
      const specs = [...c.options.map(zshOption), ...c.arguments.map(zshArgument)];
      return `    (${shellWord(c.name)})\n      _arguments -s \\\n        ${specs.join(' \\\n        ')}\n      ;;`;
    })
    .join('\n');
  return `#compdef ${program.name}
# zsh completion for ${program.name}, generated by \`${program.name} completion zsh\` from its command definitions.
# Install: ${program.name} completion zsh > "\${fpath[1]}/_${program.name}"   (or: source <(${program.name} completion zsh))
${fn}() {
  local context state state_descr line
  typeset -A opt_args
  local -a commands
  commands=(
${commands}
  )
  _arguments -C \\
    ${program.options.map(zshOption).join(' \\\n    ')} \\
    '1: :->command' \\
    '*:: :->args'
  case $state in
    (command) _describe -t commands '${program.name} command' commands ;;
    (args)
      case $words[1] in
${cases.replace(/^/gm, '    ')}
      esac
      ;;
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${program.name}
fi
`;
}
