// The face-api/tfjs boundary. @vladmandic/face-api and tfjs are loaded at run time (the backend,
// tfjs-node or WASM, is chosen at boot) from builds whose type declarations do not match the
// loaded module, so their objects enter our code under these names only. This is the one file
// where `any` is allowed (eslint.config.mjs); everything past a face-api call is typed by us.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** The loaded @vladmandic/face-api module (nets, detector options, alignment helpers). */
export type FaceApi = any;
/** The loaded tfjs module. */
export type Tfjs = any;
/** A tfjs tensor handed to or returned by a network; ours to dispose. */
export type FaceApiTensor = any;
/** A raw result of a face-api network (a detection, landmarks, expression probabilities). */
export type FaceApiResult = any;
