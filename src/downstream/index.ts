// Fake dependencies for cross-service audits: the recorder (service B) and its recorded calls.
export {
  startDownstreamRecorder,
  unquoteKey,
  CALLS_PATH,
  DEFAULT_MAX_CALLS,
  type DownstreamRecorder,
  type DownstreamResponse,
  type RecordedCall,
  type RecorderOptions,
} from './recorder.js';
export { Ring } from './ring.js';
