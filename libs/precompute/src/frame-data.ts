// Reads the compact per-frame data of a published story (frames.bin) as typed-array views.
import { FRAME_FIELDS, RECORD_FLOATS, StoryManifest } from './story-manifest';

export class FrameData {
  constructor(readonly manifest: StoryManifest, readonly records: Float32Array) {
    const expected = manifest.frameData.roles.length * manifest.video.frameCount * RECORD_FLOATS;
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
    const o = (roleIndex * this.manifest.video.frameCount + frame) * RECORD_FLOATS;
    return this.records.subarray(o, o + RECORD_FLOATS);
  }

  present(roleIndex: number, frame: number): boolean {
    return this.record(roleIndex, frame)[FRAME_FIELDS.present[0]] === 1;
  }

  field(roleIndex: number, frame: number, name: keyof typeof FRAME_FIELDS): Float32Array {
    const [offset, length] = FRAME_FIELDS[name];
    return this.record(roleIndex, frame).subarray(offset, offset + length);
  }
}
