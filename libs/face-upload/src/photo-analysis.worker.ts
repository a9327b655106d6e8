// A thread of the upload pool: loads the face models once (the backend the parent chose) and
// analyses photos (photo-analysis.ts). Pixels cross by structured clone (a few ms for a 12 MP
// photo, against seconds of detection). Imports the face library's files, not its index: the
// index brings its Nest module, and @nestjs/common costs a thread ~0.4 s of loading it never uses.
import { FaceDetector } from '@talecast/face/face-detector';
import { loadFaceModels } from '@talecast/face/face-models';
import { analysePhoto, PHOTO_ANALYSIS_NETS, PhotoAnalysis, PhotoAnalysisTask } from './photo-analysis';

let detector: Promise<FaceDetector> | undefined;

function ready(backend: 'auto' | 'wasm' | 'tfjs-node'): Promise<FaceDetector> {
  detector ??= loadFaceModels(backend, PHOTO_ANALYSIS_NETS)
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
