import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TalecastError } from '@talecast/core/talecast-error';
import type { StoryStatus } from '@talecast/persistence';
import { StoryAction, statusAfter } from './story-status';

const refusal = (action: StoryAction, status: StoryStatus) => {
  try {
    statusAfter(action, status);
    return null;
  } catch (err) {
    assert.ok(err instanceof TalecastError);
    return err.code;
  }
};

describe('story status rules of the admin actions', () => {
  test('a ready story is unpublished, an unpublished one published again', () => {
    assert.equal(statusAfter('unpublish', 'ready'), 'unpublished');
    assert.equal(statusAfter('publish', 'unpublished'), 'ready');
  });

  test('unpublish only from ready, publish only from unpublished', () => {
    for (const s of ['pending', 'precomputing', 'failed', 'unpublished'] as const) assert.equal(refusal('unpublish', s), 'STORY_NOT_READY', s);
    for (const s of ['pending', 'precomputing', 'failed', 'ready'] as const) assert.equal(refusal('publish', s), 'BAD_REQUEST', s);
  });

  test('delete is refused only while the story is being precomputed', () => {
    for (const s of ['ready', 'failed', 'unpublished'] as const) assert.equal(statusAfter('delete', s), 'deleted');
    for (const s of ['pending', 'precomputing'] as const) assert.equal(refusal('delete', s), 'STORY_BUSY', s);
  });
});
