// Identifiers that appear in URLs and paths. Faces and renders get 128 random bits
// (unguessable); stories get an admin-chosen slug. Nothing else may name a path.
import { randomBytes } from 'node:crypto';

const RANDOM_ID = /^[A-Za-z0-9_-]{22}$/;
const STORY_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** A new random id: 16 bytes from the CSPRNG, base64url, 22 characters. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

export function isRandomId(value: unknown): value is string {
  return typeof value === 'string' && RANDOM_ID.test(value);
}

export function isStorySlug(value: unknown): value is string {
  return typeof value === 'string' && STORY_SLUG.test(value);
}
