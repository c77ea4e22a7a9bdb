// The experiment: features for tasks from an encoder, probes on every layer and seed, control
// tasks, MDL, workers. It composes tasks, encoder and probe, and writes results rows.
export { embedTask, type TaskFeatures, type TaskFeatureOptions } from './features.js';
export { carveDev, planUnits, probeLayers, sentenceClusters, type ProtocolUnit, type UnitPlan, type ProbeLayersOptions, type ProbeLayersResult } from './protocol.js';
export { bagOfWords, bowBaseline, lengthBaseline, lexicalBaseline, majorityBaseline, seenInTraining, taskBaselines, type BaselineResult } from './baselines.js';
export { UnitJournal, type UnitKey } from './journal.js';
export { probeTasks, type ProbeTasksOptions, type ProbeTasksResult } from './probe-tasks.js';
export { fitAndScore, seedList, type LayerScore } from './fit.js';
export { MDL_BLOCK_FRACTIONS, mdlBlocks, onlineCodelength, type OnlineCode } from './mdl.js';
