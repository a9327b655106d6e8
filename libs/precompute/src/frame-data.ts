// Reads the compact per-frame data of a published story (frames.bin) as typed-array views.
import { FRAME_FIELDS, RECORD_FLOATS, StoryManifest } from './story-manifest';

export class FrameData {
  /** Floats per record in this story's file (older stories have no eye fields, see RECORD_FLOATS_NO_EYES). */
  readonly recordFloats: number;

  constructor(
    readonly manifest: StoryManifest,
    readonly records: Float32Array,
  ) {
    this.recordFloats = manifest.frameData.recordFloats ?? RECORD_FLOATS;
    const expected = manifest.frameData.roles.length * manifest.video.frameCount * this.recordFloats;
    if (records.length !== expected) throw new Error(`frames.bin holds ${records.length} floats, expected ${expected}`);
  }

  static fromBuffer(manifest: StoryManifest, buffer: Buffer): FrameData {
    const copy = new Float32Array(buffer.byteLength / 4);
    new Uint8Array(copy.buffer).set(buffer);
    return new FrameData(manifest, copy);
  }

  roleIndex(role: string): number {
    return this.manifest.frameData.roles.indexOf(role);
  }

  record(roleIndex: number, frame: number): Float32Array {
    const o = (roleIndex * this.manifest.video.frameCount + frame) * this.recordFloats;
    return this.records.subarray(o, o + this.recordFloats);
  }

  present(roleIndex: number, frame: number): boolean {
    return this.record(roleIndex, frame)[FRAME_FIELDS.present[0]] === 1;
  }

  /** Whether this frame carries measured eye data (see FRAME_FIELDS.eyeData). */
  hasEyes(roleIndex: number, frame: number): boolean {
    return this.recordFloats >= RECORD_FLOATS && this.record(roleIndex, frame)[FRAME_FIELDS.eyeData[0]] === 1;
  }

  field(roleIndex: number, frame: number, name: keyof typeof FRAME_FIELDS): Float32Array {
    const [offset, length] = FRAME_FIELDS[name];
    if (offset + length > this.recordFloats) throw new RangeError(`frames.bin has no ${name} field (an older layout: re-run the precompute)`);
    return this.record(roleIndex, frame).subarray(offset, offset + length);
  }
}
