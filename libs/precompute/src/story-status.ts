// What an admin may do with a story in each status, as plain data: a ready story can be hidden
// from parents (unpublished) and shown again; any story but one being precomputed can be deleted.
// Pure: the status in, the next status or the refusal out (StoryAdminService applies it).
import { TalecastError } from '@talecast/core/talecast-error';
import type { StoryStatus } from '@talecast/persistence';

export type StoryAction = 'unpublish' | 'publish' | 'delete';

/** The status an admin action leads to from `status`; throws the refusal when it is not allowed. */
export function statusAfter(action: StoryAction, status: StoryStatus): StoryStatus | 'deleted' {
  switch (action) {
    case 'unpublish':
      if (status !== 'ready') throw new TalecastError('STORY_NOT_READY', 'only a ready story can be unpublished');
      return 'unpublished';
    case 'publish':
      if (status !== 'unpublished') throw new TalecastError('BAD_REQUEST', 'only an unpublished story can be published again');
      return 'ready';
    case 'delete':
      if (status === 'precomputing' || status === 'pending') throw new TalecastError('STORY_BUSY', 'the story is being precomputed; delete it when that ends');
      return 'deleted';
  }
}
