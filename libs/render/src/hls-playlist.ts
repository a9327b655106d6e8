// The HLS playlist of a render, grown as segments finish in order (EVENT playlist), closed with
// ENDLIST when the render completes. Pure text building.

export interface HlsEntry {
  file: string;
  durationSeconds: number;
}

/** `targetSeconds`: the longest segment of the whole render (it must not change while the playlist grows). */
export function hlsPlaylist(entries: HlsEntry[], complete: boolean, targetSeconds: number): string {
  const target = Math.max(1, Math.ceil(Math.max(targetSeconds, ...entries.map((e) => e.durationSeconds)) - 1e-9));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:EVENT'];
  // Every segment is muxed on its own (encoder delay and AAC priming differ per piece), so each
  // boundary is declared a discontinuity: players then reset their timelines instead of
  // rejecting timestamps that step back by a frame.
  entries.forEach((e, k) => {
    if (k > 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${e.durationSeconds.toFixed(3)},`, e.file);
  });
  if (complete) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}
