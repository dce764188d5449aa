// The fault kinds each retry-shaped chaos check injects (GUIDE section 2). Part of the scenario
// language: the chaos checks' `faults` options name them.
export const FAULT_KINDS = {
  'timeout-retry': ['latency'],
  'lost-response': ['drop-response-after-upstream', 'stall-response', 'truncate-body', 'gateway-status', 'error-after-upstream', 'reset-before-upstream'],
  'gateway-duplicate': ['duplicate-upstream'],
} as const;
