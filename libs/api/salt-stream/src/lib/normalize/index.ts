export { normalize } from './normalize';
export {
  NormalizerState,
  DEFAULT_OWN_RUNNER_FUNCTIONS,
  DEFAULT_HEARTBEAT_TAG_PREFIX,
  type NormalizerOptions,
  type BackfillHook,
  type AuthMemory,
} from './state';
export { noReturnRows, DEFAULT_NORETURN_DEADLINE_MS, type TrackedJob } from './noreturn';
export { jobContextFromIndex } from './jobs-index';
export { parseSaltStamp } from './stamp';
export { boundRaw, utf8Prefix, DEFAULT_RAW_CAP_BYTES } from './raw';
export {
  analyzeMinionReturn,
  analyzeRunnerReturn,
  worstRetcode,
  successOf,
  parseDuration,
  stateEntries,
  type ReturnAnalysis,
  type ReturnOutcome,
} from './returns';
export type {
  SaltEvent,
  NormalizeMeta,
  NormalizeResult,
  NormalizedActivity,
  IgnoreReason,
  BoundedRaw,
  JobContext,
} from './types';
