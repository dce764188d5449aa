// Command-line wiring only: parse arguments, call the engine, map outcomes to exit codes.
import { Argument, Command, CommanderError, Option } from 'commander';
import { EXIT } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { checkCommand } from './commands/check.js';
import { addCompareFlags, compareCommand, type CompareFlags } from './commands/compare.js';
import { addReportFlags, reportCommand, type ReportFlags } from './commands/report.js';
import { initCommand, type InitFlags } from './commands/init.js';
import { explainCommand } from './commands/explain.js';
import { addInventoryFlags, addSpecFlags, inventoryCommand, type InventoryFlags } from './commands/inventory.js';
import { addObserveFlags, observeCommand, type ObserveFlags } from './commands/observe.js';
import { LISTABLE, listCommand } from './commands/list.js';
import { addLoadFlags, loadCommand, type LoadFlags } from './commands/load.js';
import { proxyCommand, type ProxyFlags } from './commands/proxy.js';
import { downstreamCommand, type DownstreamFlags } from './commands/downstream.js';
import { addAuditFlags, AUDIT_ENV, runCommand, type AuditFlags } from './commands/run.js';
import { serveCommand, type ServeFlags } from './commands/serve.js';
import { targetsFlag } from './targets-flag.js';
import { referencePurgeCommand, type PurgeFlags } from './commands/reference-purge.js';
import { validateCommand } from './commands/validate.js';
import { completionScript, SHELLS, type Shell } from './completion.js';
import { withEnvFile } from './env-file.js';
import { processIO, type CliIO } from './io.js';
import { atLeastOne, duration, list, positiveInt, raceWindow } from './options.js';
import { renderError } from './render-error.js';
import { DEFAULT_SCENARIO_FILES, discoverScenario } from './scenario-discovery.js';

type CheckFlags = Parameters<typeof checkCommand>[2];

/** Repeatable flag: each occurrence is one value (header values may contain commas). */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const examples = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

/** Says which file a bare `idemaudit run` picked, on stderr so stdout stays the report. */
function announce(file: string, io: CliIO): string {
  io.stderr.write(`idemaudit: no scenario given, using ${file}\n`);
  return file;
}

function program(io: CliIO, setCode: (code: number) => void): Command {
  const root = new Command('idemaudit')
    .description('Chaos-test and audit idempotent HTTP APIs (Idempotency-Key)')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText(
      'after',
      examples([
        'idemaudit run scenarios/reference.yaml',
        'idemaudit run scenarios/reference.yaml --target http://127.0.0.1:4000 --fail-on violation',
        'idemaudit serve --port 4000 --flaw race',
        'idemaudit validate scenarios/*.yaml',
        'idemaudit list checks',
        'idemaudit report reports/reference-<stamp>.json --format html -o report.html',
      ]) +
        '\nExit codes: 0 passed, 1 findings at or above --fail-on, 2 usage or scenario error, 3 target unreachable or run aborted, 130 interrupted.\n' +
        `\nEnvironment (run and check; a flag on the command line wins): ${Object.values(AUDIT_ENV).join(', ')}.\n` +
        'Colour only on a terminal, never with NO_COLOR or CI set. Shell completion: idemaudit completion bash|zsh.\n',
    );

  addAuditFlags(
    root
      .command('run')
      .description('audit the endpoints of a YAML scenario and write reports')
      .argument('[scenario]', `scenario file (YAML); default: ./${DEFAULT_SCENARIO_FILES.join(' or ./')}`),
  )
    .option('--env-file <file>', 'read variables for ${VAR} in the scenario from a dotenv file (the environment wins)')
    .option(
      '--targets <name=url,...>',
      "instances or regions of the API for cross-instance-duplicates and failover-replay (replaces the scenario's targets:)",
      targetsFlag,
    )
    .addHelpText(
      'after',
      examples([
        'idemaudit run',
        'idemaudit run scenarios/reference.yaml',
        'idemaudit run scenarios/staging-example.yaml --env-file .env.staging --only concurrent-duplicates,sequential-replay',
        'IDEMAUDIT_TARGET=http://127.0.0.1:4000 IDEMAUDIT_FAIL_ON=violation idemaudit run scenarios/reference.yaml',
        'idemaudit run scenarios/instances.yaml --target http://127.0.0.1:4000 --targets eu=http://127.0.0.1:4000,us=http://127.0.0.1:4001',
      ]),
    )
    .action(async (file: string | undefined, flags: AuditFlags & { envFile?: string; targets?: Record<string, string> }) => {
      const { envFile, targets, ...audit } = flags;
      setCode(await runCommand(file ?? announce(discoverScenario(process.cwd()), io), audit, await withEnvFile(io, envFile), targets));
    });

  addAuditFlags(
    root
      .command('check')
      .description('audit one endpoint without a scenario file, with curl-like flags')
      .argument('<method>', 'HTTP method, e.g. POST')
      .argument('<url>', 'full URL of the endpoint'),
    { target: false },
  )
    .option('-H, --header <header>', "request header 'Name: value' (repeatable)", collect, [])
    .option('--redact <names>', 'extra header, query and JSON field names to redact in reports, comma-separated (credential-like headers always are)', list, [])
    .option('-d, --data <body>', 'request body, or @file to read it from a file (JSON is sent as JSON; templates such as {{uuid}} apply)')
    .option('--key-header <name>', 'idempotency key header name', 'Idempotency-Key')
    .option('--tenant-header <header>', "a second tenant's credential 'Name: value' (enables cross-tenant)", collect, [])
    .option('--identity <pointer>', 'JSON pointer to the created resource id in responses, e.g. /id')
    .addHelpText(
      'after',
      examples([
        `idemaudit check POST http://127.0.0.1:4000/payments -H 'Authorization: Bearer a' -d '{"amount":100,"currency":"EUR"}' --identity /id`,
        `idemaudit check POST https://staging.example.com/v1/orders -H "Authorization: Bearer $TOKEN_A" --tenant-header "Authorization: Bearer $TOKEN_B" -d @order.json --profile stripe-v1`,
      ]),
    )
    .action(async (method: string, url: string, flags: CheckFlags) => setCode(await checkCommand(method, url, flags, io)));

  addSpecFlags(
    root
      .command('init')
      .description('write a commented starter scenario, or generate one from an OpenAPI document')
      .argument('[file]', 'where to write it', 'idemaudit.yaml')
      .option('--target <url>', "base URL of the API under audit (default: the spec's server, else http://127.0.0.1:8080)")
      .option('--force', 'overwrite an existing file')
      .option('--from-openapi <spec>', 'one endpoint per mutation of this OpenAPI/Swagger document (file or URL)')
      .option('--tag <tags>', 'with --from-openapi: only operations with one of these tags', list, [])
      .option('--path <paths>', 'with --from-openapi: only these paths (prefix, or glob with *)', list, [])
      .option('--risk <levels>', 'with --from-openapi: only these risk levels, e.g. critical,high', list, []),
  )
    .addHelpText(
      'after',
      examples([
        'idemaudit init',
        'idemaudit init scenarios/orders.yaml --target http://127.0.0.1:3000',
        'idemaudit init demo.yaml --from-openapi scenarios/openapi/payments.yaml',
        'idemaudit init critical.yaml --from-openapi http://127.0.0.1:4000/openapi.yaml --risk critical,high --tag payments',
      ]),
    )
    .action(async (file: string, flags: InitFlags) => setCode(await initCommand(file, flags, io)));

  addInventoryFlags(
    root
      .command('inventory')
      .description(
        'list the mutations of an OpenAPI document: key declared and required, 400/409/422, retention, risk (exit 1 when a critical one lacks a required key)',
      )
      .argument('<spec>', 'OpenAPI 3.0/3.1 or Swagger 2.0 document (YAML or JSON file, or URL)'),
  )
    .addHelpText(
      'after',
      examples([
        'idemaudit inventory scenarios/openapi/payments.yaml',
        'idemaudit inventory http://127.0.0.1:4000/openapi.yaml --format html -o inventory.html',
        'idemaudit inventory api.yaml --format json --require-key critical,high --risk-override "POST /carts=high"',
      ]) + '\nExit codes: 0 every gated mutation declares a required key, 1 some do not, 2 unusable spec or flags.\n',
    )
    .action(async (spec: string, flags: InventoryFlags) => setCode(await inventoryCommand(spec, flags, io)));

  addObserveFlags(
    root
      .command('observe')
      .description(
        'analyse recorded traffic (HAR, JSON lines, nginx/Envoy access logs): key share, real retry behaviour, reuse and conflicts per endpoint and client version',
      )
      .argument('<traffic>', 'traffic file (HAR, JSON lines, access log; .gz is not read: decompress first)'),
  )
    .addHelpText(
      'after',
      examples([
        'idemaudit observe scenarios/traffic/sample.har --spec scenarios/openapi/payments.yaml',
        'idemaudit observe scenarios/traffic/sample.jsonl --format html -o observe.html',
        'idemaudit observe gateway.log --input nginx --client-header x-client-version',
        'idemaudit observe events.jsonl --map key=req.headers.idem,credential=req.headers.x-api-key,time=ts',
      ]),
    )
    .action(async (file: string, flags: ObserveFlags) => setCode(await observeCommand(file, flags, io)));

  root
    .command('validate')
    .description('check scenario files and report every problem with file:line:col')
    .argument('<files...>', 'scenario files')
    .option('-f, --format <list>', 'also check these report formats, comma-separated', list, [])
    .option('-p, --profile <id>', "also check this profile (instead of the scenario's)")
    .option('--only <checks>', 'also check these check ids, comma-separated', list, [])
    .option('--skip <checks>', 'also check these check ids, comma-separated', list, [])
    .option('--env-file <file>', 'read variables for ${VAR} from a dotenv file (the environment wins)')
    .addHelpText(
      'after',
      examples([
        'idemaudit validate scenarios/*.yaml',
        'idemaudit validate scenarios/reference.yaml --format junit,sarif --only concurrent-duplicates',
        'idemaudit validate idemaudit.yaml --env-file .env',
      ]),
    )
    .action(async (files: string[], flags: { format: string[]; profile?: string; only: string[]; skip: string[]; envFile?: string }) =>
      setCode(await validateCommand(files, flags, await withEnvFile(io, flags.envFile))),
    );

  root
    .command('serve')
    .description('run the reference idempotency server (optionally with a deliberate flaw)')
    .option('--port <n>', 'port (0 = any free port)', positiveInt, 4000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--processing-ms <n>', 'simulated work per request, keeps requests in flight', positiveInt, 50)
    .option('--flaw <name>', 'enable a deliberate bug (repeatable; see `idemaudit list flaws`)', list, [])
    .option('--race-window <duration>', 'with --flaw race: time between the lookup and the claim (e.g. 1ms), a race that narrow', raceWindow)
    .addOption(new Option('--store <kind>', 'idempotency store').choices(['memory', 'redis', 'postgres']).default('memory'))
    .option('--redis-url <url>', 'Redis URL for --store redis', 'redis://127.0.0.1:6379')
    .option('--redis-prefix <prefix>', 'key prefix for --store redis (keeps tenants of one Redis apart)', 'idem:')
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL for --store postgres').env('DATABASE_URL'))
    .option('--database-schema <name>', 'schema of the idempotency table for --store postgres (created and migrated)', 'idempotency')
    .option('--ttl <duration>', 'retention of completed keys (e.g. 24h)', duration)
    .option('--lease <duration>', 'in-flight lease (e.g. 30s)', duration)
    .option('--replay-5xx', 'store and replay 5xx results instead of releasing the key')
    .option('--tls', 'serve HTTPS, HTTP/2 (ALPN h2) and HTTP/1.1, with a throwaway self-signed certificate unless --cert/--key')
    .option('--http2', 'the same as --tls (HTTP/2 needs TLS here: audits reach the other routes over HTTP/1.1)')
    .option('--cert <file>', 'PEM certificate for --tls')
    .option('--key <file>', 'PEM private key for --tls')
    .option('--admin', 'serve the ledger and the fault switches (/_idemaudit/ledger, /_idemaudit/faults/*) for audits; never in production')
    .option('--downstream <url>', "service B: executing a payment charges it there first (POST <url>/charges, a stable key derived from the client's)")
    .option(
      '--max-records <n>',
      'keys kept in memory: the memory store (oldest completed evicted first, never a claim in progress) and the demo ledger, arrival log and resources',
      atLeastOne,
      100_000,
    )
    .option(
      '--replication-lag-ms <n>',
      "instances sharing a store see this one's completed keys only n ms late (asynchronous replication between regions; 0: synchronous, claims still local, as --flaw instance-local-lock)",
      positiveInt,
    )
    .addOption(new Option('--log-level <level>', 'structured JSON logs on stderr').choices(['silent', 'error', 'warn', 'info', 'debug']).default('info'))
    .addHelpText(
      'after',
      examples([
        'idemaudit serve --port 4000',
        'idemaudit serve --port 4001 --flaw race --flaw header-drop',
        'idemaudit serve --store redis --redis-url redis://127.0.0.1:6379 --ttl 1h --lease 10s',
        'idemaudit serve --store postgres --database-url postgres://postgres@127.0.0.1:5432/app',
        'idemaudit serve --port 4443 --http2 --flaw race   # HTTPS + HTTP/2: audits send single-packet bursts',
        'idemaudit serve --flaw race --race-window 1ms     # a race 1 ms wide, to compare burst modes',
        'idemaudit serve --port 4000 --store redis & idemaudit serve --port 4001 --store redis   # two instances, one shared key store',
        'idemaudit serve --port 4001 --store redis --flaw region-local-store   # an instance that keeps its keys to itself',
        'idemaudit serve --port 4001 --store redis --flaw instance-local-lock  # shares completed keys, claims in flight locally',
        'idemaudit serve --port 4001 --store redis --replication-lag-ms 300   # keys reach the other instances 300 ms late',
        'idemaudit serve --max-records 500000              # memory store and demo records keep at most 500k keys',
      ]),
    )
    .action(async (flags: ServeFlags) => setCode(await serveCommand(flags, io)));

  const reference = root.command('reference').description("operate the reference layer's stores");
  reference
    .command('purge')
    .description('delete expired idempotency keys from the PostgreSQL store, in bounded batches')
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL').env('DATABASE_URL'))
    .option('--schema <name>', 'schema of the idempotency table', 'idempotency')
    .option('--batch-size <n>', 'rows deleted per statement', positiveInt, 1000)
    .option('--max-batches <n>', 'most statements in this run', positiveInt, 100)
    .addHelpText('after', examples(['idemaudit reference purge --database-url postgres://postgres@127.0.0.1:5432/app --batch-size 5000']))
    .action(async (flags: PurgeFlags) => setCode(await referencePurgeCommand(flags, io)));

  root
    .command('proxy')
    .description('run the HTTP-aware fault proxy in front of an API (see `idemaudit list faults`)')
    .requiredOption('--upstream <url>', 'API to forward to')
    .option('--listen <port>', 'port (0 = any free port)', positiveInt, 8080)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--fault <spec>', 'name[:probability][,key=value...] (repeatable)', collect, [])
    .option('--seed <seed>', 'seed for fault decisions (printed when omitted)')
    .option('--quiet', 'do not print a line per injected fault')
    .addHelpText(
      'after',
      examples([
        'idemaudit proxy --upstream http://127.0.0.1:4000 --listen 8080 --fault drop-response-after-upstream:0.3',
        'idemaudit proxy --upstream http://127.0.0.1:4000 --fault latency,ms=200,jitterMs=50 --fault gateway-status:0.1,status=504',
      ]),
    )
    .action(async (flags: ProxyFlags) => setCode(await proxyCommand(flags, io)));

  root
    .command('downstream')
    .description('run a downstream recorder behind the fault proxy: a fake dependency that records every call the app under audit makes to it')
    .option('--port <n>', 'port the app calls: the fault proxy in front of the recorder (0 = any free port)', positiveInt, 4100)
    .option('--host <host>', 'loopback address to bind', '127.0.0.1')
    .option('--status <n>', 'status of every answer', positiveInt, 201)
    .option('--body <text>', 'body of every answer (default {"status":"accepted"})')
    .option('--latency <duration>', 'wait after recording a call before answering (e.g. 200ms)', duration)
    .option('--key-header <name>', 'header that carries the idempotency key', 'Idempotency-Key')
    .option('--correlation-header <name>', 'header that carries the correlation id', 'X-Request-Id')
    .option(
      '--fault <spec>',
      'fault the proxy injects into matching calls: name[:probability][,key=value...] as for `idemaudit proxy` (repeatable)',
      collect,
      [],
    )
    .option('--seed <seed>', 'seed for fault decisions (printed when omitted)')
    .option('--quiet', 'do not print a line per injected fault')
    .option('--fail-after-commit <n>', 'the first n calls reach B (recorded), then the app gets an error (see --fail-mode)', positiveInt, 0)
    .addOption(
      new Option('--fail-mode <mode>', 'status: the fault error-after-upstream with --fail-status; drop: drop-response-after-upstream')
        .choices(['status', 'drop'])
        .default('status'),
    )
    .option('--fail-status <n>', 'status of a failing answer', positiveInt, 503)
    .option('--max-calls <n>', 'calls kept in memory (oldest forgotten first)', positiveInt, 10_000)
    .addHelpText(
      'after',
      examples([
        'idemaudit downstream --port 4100',
        'idemaudit serve --port 4000 --downstream http://127.0.0.1:4100   # the demo charges its payments there',
        'curl -s http://127.0.0.1:4100/_downstream/calls',
        'idemaudit downstream --port 4100 --fault error-after-upstream:0.2,status=503   # B commits, then 1 call in 5 gets a 503',
        'idemaudit downstream --port 4100 --fault drop-response-after-upstream,path=/charges --seed 42   # B commits, the answer is lost',
        'idemaudit downstream --port 4100 --fault latency,ms=300,jitterMs=100 --quiet   # every call late, no line per fault',
        'idemaudit downstream --port 4100 --fail-after-commit 1 --fail-mode drop',
        'idemaudit downstream --port 4100 --status 200 --body \'{"charged":true}\' --latency 200ms',
      ]),
    )
    .action(async (flags: DownstreamFlags) => setCode(await downstreamCommand(flags, io)));

  addReportFlags(
    root
      .command('report')
      .description('re-render a saved JSON run in another format, or merge runs from several runners')
      .argument('<runs...>', 'JSON reports written by run, check or load'),
  )
    .addHelpText(
      'after',
      examples([
        'idemaudit report reports/reference-20261122T160102Z.json --format md -o reports/governance.md',
        'idemaudit report reports/reference-20261122T160102Z.json --format junit > junit.xml',
        'idemaudit report --merge runner-1.json runner-2.json --format json -o merged.json',
      ]),
    )
    .action(async (files: string[], flags: ReportFlags) => setCode(await reportCommand(files, flags, io)));

  addLoadFlags(
    root.command('load').description('ad hoc load with idempotency keys and duplicates, autocannon-like flags').argument('<url>', 'full URL of the endpoint'),
  )
    .addHelpText(
      'after',
      examples([
        'idemaudit load http://127.0.0.1:4000/payments -c 50 -d 10s -b \'{"amount":100,"currency":"EUR"}\' --duplicates 0.3',
        'idemaudit load http://127.0.0.1:4000/payments --rate 2000 -d 30s --threshold "p99 < 50ms" --threshold "duplicate_executions == 0"',
        'idemaudit load http://127.0.0.1:4000/payments -c 20 -d 5s --json > run.json',
        'idemaudit load http://127.0.0.1:4000/payments -c 100 -d 30s --workers 2',
        'idemaudit load http://127.0.0.1:4000/payments --rate 20000 -d 30s --workers auto',
      ]),
    )
    .action(async (url: string, flags: LoadFlags) => setCode(await loadCommand(url, flags, io)));

  addCompareFlags(
    root
      .command('compare')
      .description('list regressions between two runs (exit 1 when there are any)')
      .argument('<reports...>', 'baseline JSON report, then the report to compare with it (only the new one with --baseline)'),
  )
    .addHelpText(
      'after',
      examples([
        'idemaudit compare reports/q3.json reports/q4.json',
        'idemaudit compare --baseline baseline-runs/ reports/latest.json',
        'idemaudit compare baseline.json latest.json --tolerance 0.1 --format json',
      ]),
    )
    .action(async (files: string[], flags: CompareFlags) => setCode(await compareCommand(files, flags, io)));

  root
    .command('explain')
    .description('what a check sends and judges, and every option with its default and unit')
    .argument('[check]', 'check id')
    .option('--markdown', "every check's option table as Markdown (the README section)")
    .addHelpText('after', examples(['idemaudit explain timeout-retry', 'idemaudit explain --markdown']))
    .action((check: string | undefined, flags: { markdown?: boolean }) => setCode(explainCommand(check, flags, io)));

  root
    .command('list')
    .description(`list ${LISTABLE.join(', ')}`)
    .addArgument(new Argument('<what>', 'what to list').choices(LISTABLE).argParser((what: string) => what)) // listCommand explains a wrong choice
    .addHelpText('after', examples(['idemaudit list checks', 'idemaudit list flaws']))
    .action((what: string) => setCode(listCommand(what, io)));

  root
    .command('completion')
    .description('print a shell completion script generated from these commands (bash or zsh)')
    .addArgument(new Argument('<shell>', 'shell to complete for').choices(SHELLS))
    .addHelpText(
      'after',
      examples([
        'idemaudit completion bash > ~/.local/share/bash-completion/completions/idemaudit',
        'idemaudit completion zsh > "${fpath[1]}/_idemaudit"',
        'source <(idemaudit completion bash)',
      ]),
    )
    .action((shell: Shell) => {
      io.stdout.write(completionScript(root, shell));
      setCode(EXIT.ok);
    });

  return root;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let code: number = EXIT.ok;
  try {
    // Test hook for the internal-error path (exit 70); nothing else reads this variable.
    if (io.env.IDEMAUDIT_TEST_INTERNAL_ERROR === '1') throw new Error('simulated internal error (IDEMAUDIT_TEST_INTERNAL_ERROR=1)');
    await program(io, (c) => (code = c)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    return renderError(err, io);
  }
}
