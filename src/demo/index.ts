// The demo payments API: the reference layer in front of a small payments app with a ledger, flaw
// modes that demonstrate every bug class the audit hunts, and admin switches. `idemaudit serve` and
// `target: self` run it. Not part of the library's public API (that is src/reference/).
export { startReferenceServer, DEFAULT_PROCESSING_MS, type ReferenceServer, type ReferenceServerOptions } from './app/server.js';
export { Ledger, type Execution, type KeyLedger, type LedgerSummary } from './app/ledger.js';
export { FLAWS, FLAW_NAMES, listFlaws, isFlawName, parseFlawNames, behaviourWith, flawOption, type FlawName, type FlawInfo } from './flaws/registry.js';
export type { BugClass, Flaw, FlawOptions } from './flaws/types.js';
export { startSelfTarget } from './self-target.js';
export { tlsCertificate, CertificateError, type GeneratedCertificate } from './tls.js';
