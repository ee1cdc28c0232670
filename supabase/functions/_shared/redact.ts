// Secrets out of every log line: the values of the secret settings (a key, a token, the worker
// secret, the database URL and its password) are replaced wherever they appear, and so is
// anything shaped like a credential — the password part of a URL, a bearer token, a JWT, a
// Supabase or Cartesia API key — so an error text from a library cannot carry one out either.

const MASK = "[redacted]";

// The settings whose values are secrets. The database URL is a secret as a whole (its password).
export const SECRET_SETTINGS = [
  "SUPABASE_DB_URL",
  "SUPABASE_SERVICE_ROLE_KEY",
  "AUDIO_WORKER_SECRET",
  "CARTESIA_API_KEY",
] as const;

// Values shorter than this are not masked by value (a test key "k" would mask every letter k);
// the shapes below still catch real keys, which are all far longer.
const MIN_SECRET_LENGTH = 6;

// Credential shapes, each replaced whole (or, for a URL, only its password).
const SHAPES: [RegExp, string][] = [
  // scheme://user:password@host → scheme://user:[redacted]@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)[^\s@'"]*@/gi, `$1${MASK}@`],
  // password=… in a key/value connection string
  [/(password\s*=\s*)[^\s'"]+/gi, `$1${MASK}`],
  // Authorization: Bearer <token>
  [/\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${MASK}`],
  // a JWT: three base64url parts, the first a JSON header ("eyJ")
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, MASK],
  // Supabase's new API keys and Cartesia's keys
  [/\b(sb_secret_|sb_publishable_|sk_car_)[A-Za-z0-9_-]+/g, MASK],
];

export type Redact = (text: string) => string;

// createRedactor: a function that masks the given secret values and every credential shape.
// For a database URL its password alone is masked too (it may appear without the URL).
export function createRedactor(secrets: (string | undefined)[]): Redact {
  const values = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    values.add(s);
    for (const password of urlPasswords(s)) values.add(password);
  }
  // Longest first, so a URL is masked whole before its password alone is looked for.
  const ordered = [...values].filter((v) => v.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of ordered) out = out.split(v).join(MASK);
    for (const [re, to] of SHAPES) out = out.replace(re, to);
    return out;
  };
}

// Credential shapes only, for text that leaves no environment to read values from (an error kept
// on a segment row).
export const redactCredentials: Redact = createRedactor([]);

// The secret settings' values in an environment (raw: they may not have passed validation).
export function redactorForEnv(env: Record<string, string | undefined>): Redact {
  return createRedactor(SECRET_SETTINGS.map((name) => env[name]));
}

// Every string inside a log line's fields, redacted (objects and arrays walked).
export function redactFields(value: unknown, redact: Redact): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactFields(v, redact));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redactFields(v, redact)]),
    );
  }
  return value;
}

// The password of a URL with credentials, as written and percent-decoded; none without one.
function urlPasswords(text: string): string[] {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]*)@/i.exec(text);
  if (!m || m[1] === "") return [];
  try {
    return [m[1], decodeURIComponent(m[1])];
  } catch {
    return [m[1]]; // not valid percent-encoding: only the written form can appear
  }
}
