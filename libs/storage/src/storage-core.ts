// Owns every path Talecast reads or writes. Paths are built only from validated ids and fixed
// names, and every result is checked to lie inside its root. No other module joins a path from
// anything a user sent.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DataRoots } from '@talecast/config';
import { isRandomId, isStorySlug } from './ids';

export type RootName = 'precomputed' | 'masks' | 'expressions' | 'uploads' | 'generated' | 'state';

export class PathOutsideRootError extends Error {
  constructor(
    readonly candidate: string,
    readonly root: string,
  ) {
    super(`Refusing path outside ${root}`);
    this.name = 'PathOutsideRootError';
  }
}

export class InvalidIdError extends Error {
  constructor(kind: string) {
    super(`Not a valid ${kind} id`);
    this.name = 'InvalidIdError';
  }
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class StorageCore {
  constructor(readonly roots: DataRoots) {}

  root(name: RootName): string {
    return this.roots[name];
  }

  // Stories --------------------------------------------------------------------------------
  storyDir(storyId: string): string {
    return this.inside('precomputed', story(storyId));
  }
  storyFile(storyId: string, name: string): string {
    return this.inside('precomputed', story(storyId), safeName(name));
  }
  /** A file of a published story as its manifest names it (`media/seg-0001.mp4`): every part a safe name. */
  storyPath(storyId: string, relative: string): string {
    return this.inside('precomputed', story(storyId), ...relative.split('/').map(safeName));
  }
  storyMediaFile(storyId: string, name: string): string {
    return this.inside('precomputed', story(storyId), 'media', safeName(name));
  }
  /** A fresh staging folder next to the published one; renamed into place when complete. */
  storyStagingDir(storyId: string): string {
    return this.inside('precomputed', `.staging-${story(storyId)}-${randomBytes(8).toString('hex')}`);
  }
  /** A role's dialogue stem of a precomputed story (`stems/<role>.wav`). */
  storyStemFile(storyId: string, role: string): string {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(role)) throw new InvalidIdError('role');
    return this.inside('precomputed', story(storyId), 'stems', `${role}.wav`);
  }
  masksFile(storyId: string): string {
    return this.inside('masks', `${story(storyId)}.json`);
  }
  expressionsFile(storyId: string): string {
    return this.inside('expressions', `${story(storyId)}.json`);
  }

  // Faces ----------------------------------------------------------------------------------
  faceDir(faceId: string): string {
    return this.inside('uploads', random(faceId, 'face'));
  }
  faceFile(faceId: string, name: string): string {
    return this.inside('uploads', random(faceId, 'face'), safeName(name));
  }
  /** Where an incoming upload is streamed before it is validated. */
  incomingUploadFile(token: string): string {
    return this.inside('uploads', `.incoming-${random(token, 'upload')}`);
  }

  // Recordings (a child's voice, fitted to a story line; beside the faces, purged like them) ---
  recordingDir(recordingId: string): string {
    return this.inside('uploads', random(recordingId, 'recording'));
  }
  recordingFile(recordingId: string, name: string): string {
    return this.inside('uploads', random(recordingId, 'recording'), safeName(name));
  }

  // Renders --------------------------------------------------------------------------------
  renderDir(renderId: string): string {
    return this.inside('generated', random(renderId, 'render'));
  }
  renderFile(renderId: string, ...names: string[]): string {
    return this.inside('generated', random(renderId, 'render'), ...names.map(safeName));
  }

  // Private state --------------------------------------------------------------------------
  stateDir(...names: string[]): string {
    return this.inside('state', ...names.map(safeName));
  }

  /** True when `candidate` (after resolution) is inside the named root, not the root itself. */
  isInside(rootName: RootName, candidate: string): boolean {
    const root = this.roots[rootName];
    const rel = path.relative(root, path.resolve(candidate));
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  private inside(rootName: RootName, ...parts: string[]): string {
    const candidate = path.resolve(this.roots[rootName], ...parts);
    if (!this.isInside(rootName, candidate)) throw new PathOutsideRootError(candidate, this.roots[rootName]);
    return candidate;
  }
}

function story(id: string): string {
  if (!isStorySlug(id)) throw new InvalidIdError('story');
  return id;
}

function random(id: string, kind: string): string {
  if (!isRandomId(id)) throw new InvalidIdError(kind);
  return id;
}

function safeName(name: string): string {
  if (!SAFE_NAME.test(name) || name.includes('..')) throw new InvalidIdError('file name');
  return name;
}
