// What the downstream checks need from the run: the recorders the audit started for the scenario's
// `downstream:` dependencies, per endpoint. The audit builds it (src/audit/downstream.ts).
import type { DownstreamRecorder } from '../../downstream/index.js';
import type { Downstream } from '../../scenario/schema.js';

export interface DownstreamBinding {
  name: string;
  declared: Downstream;
  recorder: DownstreamRecorder;
}

export interface DownstreamPort {
  /** The dependencies this endpoint calls (those whose `endpoints:` list it, or lists nothing). */
  forEndpoint(endpoint: string): DownstreamBinding[];
}
