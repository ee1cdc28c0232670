// The dev admin token: taken from the URL hash (#token=<jwt>, which never reaches a server) or
// pasted, kept in sessionStorage only (gone when the tab closes), and removed from the address
// bar at once.

const KEY = "audio-queue.admin.token";

/** Moves a #token=<jwt> from the URL into sessionStorage; returns the stored token, if any. */
export function takeTokenFromHash(): string | null {
  const hash = new URLSearchParams(globalThis.location.hash.replace(/^#/, ""));
  const token = hash.get("token");
  if (token) {
    saveToken(token);
    hash.delete("token");
    const rest = hash.toString();
    globalThis.history.replaceState(
      null,
      "",
      globalThis.location.pathname + globalThis.location.search +
        (rest ? `#${rest}` : ""),
    );
  }
  return loadToken();
}

function loadToken(): string | null {
  return globalThis.sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  globalThis.sessionStorage.setItem(KEY, token.trim());
}

export function clearToken(): void {
  globalThis.sessionStorage.removeItem(KEY);
}

/** A JWT has three base64url parts; anything else is refused before it is sent anywhere. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token.trim());
}
