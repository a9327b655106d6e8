// The parent's consent before the first photo upload: remembered in localStorage (this device
// only), versioned so a changed text asks again. Nothing is uploaded before it is given.
const KEY = 'talecast.consent';
const VERSION = '2'; // 2: the periods come from the server's configuration; voice recordings named

export function hasConsent(): boolean {
  try {
    return localStorage.getItem(KEY) === VERSION;
  } catch {
    return sessionConsent;
  }
}

let sessionConsent = false;

export function giveConsent(): void {
  sessionConsent = true;
  try {
    localStorage.setItem(KEY, VERSION);
  } catch {
    // storage blocked: asked again on the next visit
  }
}
