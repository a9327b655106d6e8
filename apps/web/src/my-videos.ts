// "My videos": the renders this browser made, kept in localStorage only (never sent anywhere), each
// until it expires or is deleted. Also the private link's shape: `/v/<render id>` (the id is 128
// random bits; see apps/api/src/pages/private-link.controller.ts).

export interface SavedVideo {
  id: string;
  storyId: string;
  title: string;
  childName: string;
  createdAt: string;
  expiresAt: string | null;
}

const KEY = 'talecast.videos';
const TOKEN = /^\/v\/([A-Za-z0-9_-]{22})\/?$/;

/** The render id in a private link's path, or null. */
export function tokenFromPath(pathname: string): string | null {
  return TOKEN.exec(pathname)?.[1] ?? null;
}

export function privateLinkPath(id: string): string {
  return `/v/${id}`;
}

export function privateLink(id: string): string {
  return `${location.origin}${privateLinkPath(id)}`;
}

function read(): SavedVideo[] {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(raw) ? raw.filter((v): v is SavedVideo => typeof v?.id === 'string' && typeof v?.storyId === 'string') : [];
  } catch {
    return [];
  }
}

function write(videos: SavedVideo[]): void {
  try {
    if (videos.length) localStorage.setItem(KEY, JSON.stringify(videos));
    else localStorage.removeItem(KEY);
  } catch {
    // storage blocked (private mode): the list lives for this page only
  }
}

/** The saved videos that have not expired, newest first (expired ones are forgotten here). */
export function listVideos(now = Date.now()): SavedVideo[] {
  const all = read();
  const alive = all.filter((v) => !v.expiresAt || Date.parse(v.expiresAt) > now);
  if (alive.length !== all.length) write(alive);
  return alive.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export function findVideo(id: string): SavedVideo | undefined {
  return read().find((v) => v.id === id);
}

export function saveVideo(video: SavedVideo): void {
  write([video, ...read().filter((v) => v.id !== video.id)]);
}

export function updateVideo(id: string, patch: Partial<Omit<SavedVideo, 'id'>>): void {
  write(read().map((v) => (v.id === id ? { ...v, ...patch } : v)));
}

export function forgetVideo(id: string): void {
  write(read().filter((v) => v.id !== id));
}
