// A thread of the upload pool: loads the face models once (the backend the parent chose) and
// analyses photos (photo-analysis.ts). Pixels cross by structured clone (a few ms for a 12 MP
// photo, against seconds of detection).
import { FaceDetector, loadFaceModels } from '@talecast/face';
import { analysePhoto, PhotoAnalysis, PhotoAnalysisTask } from './photo-analysis';

let detector: Promise<FaceDetector> | undefined;

function ready(backend: 'auto' | 'wasm' | 'tfjs-node'): Promise<FaceDetector> {
  detector ??= loadFaceModels(backend)
    .then((models) => new FaceDetector(models))
    .catch((err) => {
      detector = undefined;
      throw err;
    });
  return detector;
}

export type PhotoWorkerTask = { backend: 'auto' | 'wasm' | 'tfjs-node' } & ({ warm: true } | ({ warm?: false } & PhotoAnalysisTask));

export default async function run(task: PhotoWorkerTask): Promise<PhotoAnalysis | { warmed: true }> {
  const d = await ready(task.backend);
  if (task.warm) return { warmed: true };
  return analysePhoto(d, task);
}
