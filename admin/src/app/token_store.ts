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

/** The email claim of a JWT, for "Signed in as" only: read, not verified (the server verifies the
 * token on every request). Null when there is none or the token cannot be read. */
export function emailOfToken(token: string): string | null {
  try {
    const part = token.split(".")[1] ?? "";
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const claims: unknown = JSON.parse(json);
    const email = typeof claims === "object" && claims !== null
      ? (claims as { email?: unknown }).email
      : undefined;
    return typeof email === "string" && email !== "" ? email : null;
  } catch {
    return null;
  }
}
