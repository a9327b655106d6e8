// piscina worker: analyses one contiguous frame range. Face models load once per worker thread:
// only the networks the analysis runs (the recognition net only when a reference identity is given),
// and the iris model the eye measure reads some frames' lids with (eye-measure's irisReadingDue).
import { FaceNetName, IrisModel, loadFaceModels, loadIrisModel } from '@talecast/face';
import { analyseRange, RangeResult, RangeTask } from './range-analyzer';

export interface AnalysisWorkerTask extends RangeTask {
  faceBackend: 'auto' | 'wasm' | 'tfjs-node';
}

const ANALYSIS_NETS: FaceNetName[] = ['tinyFaceDetector', 'faceLandmark68Net', 'faceExpressionNet'];

let irisLoading: Promise<IrisModel> | undefined;

export default async function analyse(task: AnalysisWorkerTask): Promise<RangeResult> {
  const models = await loadFaceModels(task.faceBackend, task.reference ? [...ANALYSIS_NETS, 'faceRecognitionNet'] : ANALYSIS_NETS);
  irisLoading ??= loadIrisModel(models).catch((err) => {
    irisLoading = undefined;
    throw err;
  });
  return analyseRange(models, task, undefined, await irisLoading);
}
