// What each check's finding means for the business and how to fix it, in words a manager and the
// engineer who fixes it both read. Used by SARIF rule help, the governance report and the README's
// "Findings and fixes" section (each check has a heading there; `helpUri` points at it). Kept in the
// report layer, not read from the check registry, so a saved report renders the same in any build.
export interface FindingGuide {
  /** The business risk when the check fails, in plain words. */
  impact: string;
  /** How to fix it. */
  fix: string;
}

/** Where the README is published; section anchors are the check ids. */
export const README_URL = 'https://www.npmjs.com/package/idemaudit';

export function helpUri(check: string): string {
  return GUIDES[check] ? `${README_URL}#${check}` : `${README_URL}#findings-and-fixes`;
}

const GUIDES: Record<string, FindingGuide> = {
  'concurrent-duplicates': {
    impact:
      'Two retries of the same request that arrive together both run: a client retrying a payment during a timeout can be charged twice, an order can be shipped twice.',
    fix: 'Make the claim of a key atomic before any work: Redis SET key NX PX <lease>, or INSERT ... ON CONFLICT DO NOTHING on a unique key column, and answer the loser 409 (in progress) instead of running it.',
  },
  'sequential-replay': {
    impact:
      'A client that retries after success gets a different answer (another id, missing headers) or causes a second execution: it cannot tell whether its first attempt worked.',
    fix: 'Store the complete response (status, body bytes, Content-Type, Location and other must-replay headers) with the key when the request completes, and return it verbatim on a repeat, marked as a replay.',
  },
  'payload-mismatch': {
    impact:
      'A key reused by mistake with another payload runs the second request or silently returns the first result: a changed amount or recipient is applied, or ignored, without anyone noticing.',
    fix: 'Store a hash of the canonical request (method, path, body) with the key and reject a reuse whose hash differs (422 under the IETF draft, 409 under the Stripe convention) without touching the stored result.',
  },
  'missing-key': {
    impact: 'Mutations without a key are accepted, so clients that forget the header retry without protection and duplicates go unnoticed.',
    fix: 'Answer 400 with a problem document naming the header on mutation endpoints where the key is mandatory; document the requirement for client teams.',
  },
  'key-validation': {
    impact: "Malformed or look-alike keys crash the service (5xx) or collide with other keys, so one client can receive or overwrite another request's result.",
    fix: 'Validate the key syntax (length, printable characters) and answer 400; store keys verbatim (no trimming, case folding or prefix matching) under a tenant-scoped namespace.',
  },
  'cross-tenant': {
    impact: "A key reused by another customer returns the first customer's response: a data leak across tenants.",
    fix: 'Scope the key namespace by the authenticated principal (tenant or API key): store and look up tenant + key, never the key alone.',
  },
  'cross-endpoint': {
    impact: "A key reused on another endpoint returns the other endpoint's response: clients get answers to requests they did not make.",
    fix: 'Include the method and route in the key scope or in the request fingerprint, and reject a key reused on another endpoint.',
  },
  'timeout-retry': {
    impact:
      'A client that times out and retries while the first attempt still commits causes a second execution or gets an answer that is not the committed result.',
    fix: 'Hold the key in flight until the original completes, answer retries 409 (or wait for the result), and replay the committed response once it exists; clients should back off with jitter.',
  },
  'lost-response': {
    impact: 'When the network loses the answer after the server committed, the retry runs the operation again: the customer is charged twice for one click.',
    fix: 'Commit the stored response in the same transaction as the side effect (or before acknowledging it), so a retry after a lost answer finds the result and replays it.',
  },
  'gateway-duplicate': {
    impact: 'A gateway or load balancer that duplicates a request upstream causes two executions.',
    fix: 'Claim the key atomically at the service (not only at the edge) so any copy that reaches the service after the first is answered from the store or with 409.',
  },
  'in-flight-recovery': {
    impact:
      'A request abandoned mid-flight (crash, disconnect) leaves its key locked: every retry gets 409 forever and the client can never complete the operation.',
    fix: 'Give in-flight claims a lease (expiry) and release or expire them when the worker dies, so a retry can take over after the declared lease.',
  },
  'error-replay': {
    impact:
      'After a failed first attempt, retries either replay a transient error forever or run again after a definitive rejection, against the declared policy.',
    fix: 'Decide per status class: release the key after 5xx (so a retry can succeed) and store definitive 4xx answers; declare the policy in the scenario and document it for clients.',
  },
  expiry: {
    impact: "Keys expire before the clients' retry window ends, so a late retry runs the operation again.",
    fix: 'Set the retention (TTL) to at least the longest client retry window plus an audit buffer, and keep a logical-expiry buffer so a late retry still finds the result.',
  },
  fingerprint: {
    impact: 'A semantically equal retry (reordered JSON keys, other whitespace) is treated as a new request and executes again.',
    fix: 'Hash a canonical form of the request (parsed JSON with sorted keys, normalized numbers, sorted query) instead of the raw bytes.',
  },
  'store-outage': {
    impact: 'When the idempotency store is down, mutations run without protection: duplicates during an outage are not caught (fail-open).',
    fix: 'Fail closed for critical writes: answer 503 with Retry-After when the store cannot be reached, and never execute without a claim.',
  },
  load: {
    impact: 'Under production-like load with retries, some keys execute more than once or replays differ from their originals.',
    fix: 'Find the race with concurrent-duplicates and lost-response, then make the claim atomic and the stored response part of the commit.',
  },
  'cross-instance-duplicates': {
    impact:
      'Behind a load balancer (or in an active-active setup), copies of one request reaching two instances or regions at the same time each take the in-flight claim and run, even where the instances share completed responses: every instance is idempotent alone, the service is not.',
    fix: 'Take the in-flight claim where every instance sees it, not only the completed response: one shared store (the same Redis and key prefix, or one database table) for all instances of a region, and one authoritative, synchronously claimed store for a key across regions (or route each key to a home region).',
  },
  'failover-replay': {
    impact:
      "After a failover, a client's retry lands on another instance or region that does not know the key (or knows it only after the replication lag) and executes the request again.",
    fix: "Share the key store between the instances, or make the claim and the stored response visible to the other region before answering (synchronous replication, or a home region per key); keep the observed replication lag below the clients' retry delays if it cannot be zero.",
  },
};

export function findingGuide(check: string): FindingGuide | undefined {
  return GUIDES[check];
}

export const GUIDED_CHECKS = Object.keys(GUIDES);
