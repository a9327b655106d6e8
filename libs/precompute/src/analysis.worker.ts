// piscina worker: analyses one contiguous frame range. Face models load once per worker thread.
import { loadFaceModels } from '@talecast/face';
import { analyseRange, RangeResult, RangeTask } from './range-analyzer';

export interface AnalysisWorkerTask extends RangeTask {
  faceBackend: 'auto' | 'wasm' | 'tfjs-node';
}

export default async function analyse(task: AnalysisWorkerTask): Promise<RangeResult> {
  const models = await loadFaceModels(task.faceBackend);
  return analyseRange(models, task);
}
