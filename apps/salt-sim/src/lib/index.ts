export { startSaltSim } from './sim';
export type { SaltSim, SimControls, SimCounters } from './sim';
export { DEFAULT_OPTIONS, parseArgs, USAGE } from './options';
export type { SimOptions } from './options';
export { pyDumps } from './util/pyjson';
export { RETRY_LINE, frameFor, serializeEvent } from './bus/event-bus';
export type { Frame, EventData } from './bus/event-bus';
