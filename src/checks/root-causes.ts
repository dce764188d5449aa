// Root causes an inconclusive result can defer by name (`facts.inconclusive.rootCause`), and that the
// owner's failure declares (`facts.rootCause`): only an owner failure about the same root cause covers
// the deferral (audit/ownership.ts). Without a name, any failure of the owner at the same level does.

/** A retry through another instance executed again: failover-replay's; cross-instance-duplicates defers to it. */
export const EXECUTION_ACROSS_INSTANCES = 'execution-across-instances';

/**
 * A completed key executed again (the retry came after the first execution had finished):
 * sequential-replay's; a burst whose extra executions each arrived after the previous had completed
 * (not a race) defers to it.
 */
export const EXECUTION_AFTER_COMPLETION = 'execution-after-completion';
