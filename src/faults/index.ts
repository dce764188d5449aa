// The fault proxy's public API.
export { startFaultProxy, type FaultProxy, type FaultProxyOptions, type FaultProxyStats, type FaultStats, type OneShot } from './proxy.js';
export { BUILTIN_FAULTS, getFault, hasFault, listFaults, registerFault, type BuiltinFaultName, type FaultInfo } from './registry.js';
export { FaultSpecSchema, optionNames, parseFaultSpec, type ExtensionFaultSpecInput, type FaultSpec, type FaultSpecInput } from './spec.js';
export {
  FaultMatchSchema,
  defineFault,
  faultSpecBase,
  type Fault,
  type FaultContext,
  type FaultEvent,
  type FaultMatch,
  type FaultSpecBase,
  type UpstreamResponse,
} from './types.js';
export { parseUpstream } from './upstream.js';
