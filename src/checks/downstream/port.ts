// What the downstream checks need from the run: the dependencies the audit started for the
// scenario's `downstream:`, per endpoint. Each is a recorder behind a fault proxy: the app calls the
// proxy (`url`), which forwards to the recorder; a check arms a one-shot fault on the proxy for the
// one call it rehearses. The audit builds it (src/audit/downstream.ts).
import type { DownstreamRecorder } from '../../downstream/index.js';
import type { FaultProxy } from '../../faults/index.js';
import type { Downstream } from '../../scenario/schema.js';

export interface DownstreamBinding {
  name: string;
  declared: Downstream;
  /** What the app calls: the proxy's URL. */
  url: string;
  recorder: DownstreamRecorder;
  proxy: FaultProxy;
}

export interface DownstreamPort {
  /** The dependencies this endpoint calls (those whose `endpoints:` list it, or lists nothing). */
  forEndpoint(endpoint: string): DownstreamBinding[];
}
