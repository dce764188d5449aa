// What GitHub code scanning requires of an uploaded SARIF file beyond the OASIS schema (GitHub docs,
// "SARIF support for code scanning"): the properties it reads, the limits it enforces, and what it
// needs to place and track an alert. Returns the broken rules, empty when the log would ingest.
const MAX_RUNS = 20;
const MAX_RESULTS_PER_RUN = 25_000;
const MAX_RULES_PER_RUN = 25_000;
const MAX_TAGS = 20;
const MAX_LOCATIONS = 1000;

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

export function githubIngestionProblems(log: any): string[] {
  const problems: string[] = [];
  const bad = (msg: string) => problems.push(msg);
  if (log?.version !== '2.1.0') bad('version must be 2.1.0');
  const runs: any[] = Array.isArray(log?.runs) ? log.runs : [];
  if (runs.length === 0) bad('runs[] is required');
  if (runs.length > MAX_RUNS) bad(`at most ${MAX_RUNS} runs`);
  runs.forEach((run, ri) => {
    const at = `runs[${ri}]`;
    const driver = run?.tool?.driver;
    if (!isText(driver?.name)) bad(`${at}.tool.driver.name is required`);
    if (!isText(driver?.semanticVersion) && !isText(driver?.version)) bad(`${at}.tool.driver needs a version (GitHub tracks results per tool version)`);
    const rules: any[] = driver?.rules ?? [];
    if (rules.length > MAX_RULES_PER_RUN) bad(`${at}: at most ${MAX_RULES_PER_RUN} rules`);
    const ruleIds = new Set<string>();
    rules.forEach((rule, i) => {
      const rat = `${at}.tool.driver.rules[${i}]`;
      if (!isText(rule?.id)) bad(`${rat}.id is required`);
      if (ruleIds.has(rule?.id)) bad(`${rat}.id ${rule.id} is duplicated`);
      ruleIds.add(rule?.id);
      if (!isText(rule?.shortDescription?.text)) bad(`${rat}.shortDescription.text is required`);
      if (!isText(rule?.fullDescription?.text)) bad(`${rat}.fullDescription.text is required`);
      if (!isText(rule?.help?.text)) bad(`${rat}.help.text is required`);
      if (!isText(rule?.help?.markdown)) bad(`${rat}.help.markdown is required (GitHub shows it on the alert)`);
      if (!/^https:\/\//.test(rule?.helpUri ?? '')) bad(`${rat}.helpUri must be an https URL`);
      const tags = rule?.properties?.tags ?? [];
      if (!Array.isArray(tags) || tags.length > MAX_TAGS) bad(`${rat}.properties.tags: at most ${MAX_TAGS}`);
    });
    const results: any[] = run?.results ?? [];
    if (results.length > MAX_RESULTS_PER_RUN) bad(`${at}: at most ${MAX_RESULTS_PER_RUN} results`);
    results.forEach((res, i) => {
      const rat = `${at}.results[${i}]`;
      if (!isText(res?.ruleId)) bad(`${rat}.ruleId is required`);
      else if (!ruleIds.has(res.ruleId)) bad(`${rat}.ruleId ${res.ruleId} has no rule`);
      if (res?.ruleIndex !== undefined && rules[res.ruleIndex]?.id !== res.ruleId) bad(`${rat}.ruleIndex does not point at its rule`);
      if (!isText(res?.message?.text)) bad(`${rat}.message.text is required`);
      if (res?.kind !== undefined && res.kind !== 'fail') bad(`${rat}: kind ${res.kind} would not be an alert; leave non-failures out`);
      if (!['error', 'warning', 'note'].includes(res?.level)) bad(`${rat}.level must be error, warning or note`);
      const locations: any[] = res?.locations ?? [];
      if (locations.length === 0) bad(`${rat}.locations[] is required to place the alert`);
      if (locations.length > MAX_LOCATIONS) bad(`${rat}: at most ${MAX_LOCATIONS} locations`);
      const phys = locations[0]?.physicalLocation;
      const uri = phys?.artifactLocation?.uri;
      if (!isText(uri)) bad(`${rat}.locations[0].physicalLocation.artifactLocation.uri is required`);
      else if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) bad(`${rat}: the artifact URI must be relative to the repository root, got ${uri}`);
      const line = phys?.region?.startLine;
      if (!Number.isInteger(line) || line < 1) bad(`${rat}.locations[0].physicalLocation.region.startLine is required`);
      const fps = res?.partialFingerprints;
      if (!fps || Object.keys(fps).length === 0 || !Object.values(fps).every(isText)) bad(`${rat}.partialFingerprints must hold a stable fingerprint`);
    });
  });
  return problems;
}
