// Error text that is kept (a segment's last_error, shown on the admin page) or logged: whatever
// looks like a credential is replaced first, so a database or Storage error never carries a
// password, a token or a key into a row or a log line.

const SECRET_PATTERNS: [RegExp, string][] = [
  // user:password@ in a connection string or URL
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@"],
  // password=… in a key/value connection string
  [/(password\s*=\s*)\S+/gi, "$1***"],
  // a JWT (API keys of the legacy kind are JWTs too)
  [/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[token]"],
  [/(bearer\s+)\S+/gi, "$1[token]"],
  // Supabase's new API keys and Cartesia-style secret keys
  [/\b(sb_secret|sb_publishable|sk)_[\w-]{8,}/g, "[key]"],
];

export function redacted(text: string): string {
  return SECRET_PATTERNS.reduce((t, [pattern, by]) => t.replace(pattern, by), text);
}
