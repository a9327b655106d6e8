// Typed request bodies, checked before a handler runs: each parameter decorator reads the
// request, validates it into a plain typed value and throws a TalecastError (mapped to HTTP by
// the error filter) when it is malformed. Controllers receive only valid values.
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { TalecastError } from '@talecast/core';

export interface RenderRequestBody {
  storyId: string;
  faces: Record<string, string[]>;
  /** line id → recording id (the child's voice), optional. */
  voices?: Record<string, string>;
  /** The child's name for the title card and the page's language (checked by the render service). */
  childName?: string;
  language?: string;
}

export interface PhotoUpload {
  photo: Buffer;
  faceIndex?: number;
}

/** `{storyId, faces: {role: [faceId…]}}` (or the older `faceIds` for the first role), as JSON. */
export function parseRenderRequest(isJson: boolean, body: unknown): RenderRequestBody {
  if (!isJson) throw new TalecastError('BAD_REQUEST', 'send JSON: {"storyId": "…", "faces": {"hero": ["<faceId>"]}}');
  const b = (body ?? {}) as { storyId?: unknown; faces?: unknown; faceIds?: unknown; voices?: unknown; childName?: unknown; language?: unknown };
  if (typeof b !== 'object' || Array.isArray(b)) throw new TalecastError('BAD_REQUEST', 'the body must be a JSON object');
  if (typeof b.storyId !== 'string') throw new TalecastError('BAD_REQUEST', 'storyId is required');
  const extras = { ...parseVoices(b.voices), ...parseTitleCard(b.childName, b.language) };
  if (b.faces !== undefined) {
    if (typeof b.faces !== 'object' || b.faces === null || Array.isArray(b.faces))
      throw new TalecastError('BAD_REQUEST', 'faces must be an object of role → face ids');
    const faces = b.faces as Record<string, unknown>;
    for (const v of Object.values(faces))
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new TalecastError('BAD_REQUEST', 'faces must map roles to arrays of face ids');
    return { storyId: b.storyId, faces: faces as Record<string, string[]>, ...extras };
  }
  if (Array.isArray(b.faceIds) && b.faceIds.every((x) => typeof x === 'string'))
    return { storyId: b.storyId, faces: { hero: b.faceIds as string[] }, ...extras };
  throw new TalecastError('BAD_REQUEST', 'faces is required: {"hero": ["<faceId>"]}');
}

/** `voices`: an object of line id → recording id, when given. */
function parseVoices(v: unknown): { voices?: Record<string, string> } {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))
    throw new TalecastError('BAD_REQUEST', 'voices must be an object of line id → recording id');
  return { voices: v as Record<string, string> };
}

/** `childName` and `language`: text when given (their content is checked by the render service). */
function parseTitleCard(childName: unknown, language: unknown): { childName?: string; language?: string } {
  if (childName !== undefined && childName !== null && typeof childName !== 'string') throw new TalecastError('INVALID_NAME', 'childName must be text');
  if (language !== undefined && typeof language !== 'string') throw new TalecastError('BAD_REQUEST', 'language must be "en" or "ko"');
  return { ...(typeof childName === 'string' ? { childName } : {}), ...(language !== undefined ? { language } : {}) };
}

/** The multipart photo upload: the file in `photo`, an optional small `faceIndex`. */
export function parsePhotoUpload(isMultipart: boolean, file: Express.Multer.File | undefined, body: unknown): PhotoUpload {
  if (!isMultipart) throw new TalecastError('BAD_REQUEST', 'send the photo as multipart/form-data in the field "photo"');
  if (!file) throw new TalecastError('BAD_REQUEST', 'no photo: send it in the multipart field "photo"');
  const raw = (body as Record<string, unknown> | undefined)?.faceIndex;
  if (raw === undefined || raw === '') return { photo: file.buffer };
  // multer turns `faceIndex[a]` into an object and a repeated field into an array: both refused.
  const faceIndex = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(faceIndex) || faceIndex > 100) throw new TalecastError('FACE_INDEX_OUT_OF_RANGE', 'faceIndex must be a small non-negative integer');
  return { photo: file.buffer, faceIndex };
}

export const RenderRequest = createParamDecorator((_: unknown, ctx: ExecutionContext): RenderRequestBody => {
  const req = ctx.switchToHttp().getRequest<Request>();
  return parseRenderRequest(Boolean(req.is('application/json')), req.body);
});

/** Use after FileInterceptor('photo'): the body has been read by then. */
export const UploadedPhoto = createParamDecorator((_: unknown, ctx: ExecutionContext): PhotoUpload => {
  const req = ctx.switchToHttp().getRequest<Request & { file?: Express.Multer.File }>();
  return parsePhotoUpload(Boolean(req.is('multipart/form-data')), req.file, req.body);
});
