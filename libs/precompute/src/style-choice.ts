// The story's style: the admin's choice (CLI --style, the admin upload's style field) wins, then
// the masks file's `style`, then the proposal measured on the footage (style-proposal.ts). The
// manifest keeps the proposal and who decided, so an admin can see why and override it. Pure.
import { proposeStyle, ProposedStyle, StyleProposal } from './style-proposal';

export interface StoryStyle {
  style: ProposedStyle;
  /** Who decided: the admin (request), the masks file, or the footage (the proposal). */
  styleSource: 'admin' | 'masks' | 'footage';
  styleProposal: StyleProposal;
}

export function chooseStyle(requested: ProposedStyle | undefined, fromMasks: ProposedStyle | undefined, samples: readonly number[]): StoryStyle {
  const styleProposal = proposeStyle(samples);
  if (requested) return { style: requested, styleSource: 'admin', styleProposal };
  if (fromMasks) return { style: fromMasks, styleSource: 'masks', styleProposal };
  return { style: styleProposal.style, styleSource: 'footage', styleProposal };
}
