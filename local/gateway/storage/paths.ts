// Bucket ids and object names from request URLs, validated so that no name can leave the
// bucket's folder: `..`, `.`, empty segments, absolute paths, backslashes and control
// characters (NUL included) are refused with a 400 before any file-system call, as is any
// character Supabase Storage refuses in a key.
import { storageErrors } from "./errors.ts";

// S3 and Supabase Storage cap object keys at 1024 bytes.
const MAX_KEY_BYTES = 1024;
// Linux NAME_MAX is 255 bytes; the file index adds ".json" (5 bytes) to each name.
const MAX_SEGMENT_BYTES = 250;
// Bucket ids are folder names here: letters, digits, '-', '_' and '.', not starting with '.'
// (dot-folders under the storage root hold the gateway's own temp and metadata files).
const BUCKET_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;
/** Whether text has a C0 control character (NUL included) or DEL. */
function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

const utf8 = new TextEncoder();

/** Decodes one %-encoded URL path segment; a bad escape is a 400. */
export function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw storageErrors.invalidKey("The path has a malformed %-escape");
  }
}

/** The bucket id, checked; throws a 400 naming the rule. */
export function checkBucketId(id: string): string {
  if (!BUCKET_ID.test(id)) {
    throw storageErrors.invalidBucketName(
      "Bucket name invalid: use letters, digits, '-', '_' and '.' (not first), at most 100",
    );
  }
  return id;
}

/**
 * The object name from its raw (still %-encoded) URL segments, checked: each decoded segment
 * must be non-empty, not `.` or `..`, and hold only the characters Storage allows in a key; %2F
 * inside a segment counts as a separator and is checked the same way.
 */
export function objectNameFromSegments(rawSegments: readonly string[]): string {
  if (rawSegments.length === 0) {
    throw storageErrors.invalidKey("The object path is missing after the bucket name");
  }
  const name = rawSegments.map(decodeSegment).join("/");
  return checkObjectName(name);
}

// One character Supabase Storage allows in an object key (it refuses any other with InvalidKey,
// non-ASCII letters included).
const KEY_CHARACTERS = /^[A-Za-z0-9 _/!.*'()&$=@;:+,?-]$/;

/** A decoded object name, checked as objectNameFromSegments describes. */
export function checkObjectName(name: string): string {
  if (typeof name !== "string" || name === "") {
    throw storageErrors.invalidKey("The object path is empty");
  }
  if (utf8.encode(name).length > MAX_KEY_BYTES) {
    throw storageErrors.invalidKey(`The object path is longer than ${MAX_KEY_BYTES} bytes`);
  }
  if (name.startsWith("/")) {
    throw storageErrors.invalidKey("The object path must be relative (no leading '/')");
  }
  if (hasControlChar(name) || name.includes("\\")) {
    throw storageErrors.invalidKey("The object path must not contain control characters or '\\'");
  }
  const refused = [...name].find((c) => !KEY_CHARACTERS.test(c));
  if (refused !== undefined) {
    throw storageErrors.invalidKey(
      `The object path holds ${JSON.stringify(refused)}: Storage allows only ASCII letters, ` +
        "digits, spaces and _/!.*'()&$=@;:+,?-",
    );
  }
  for (const segment of name.split("/")) {
    if (segment === "") {
      throw storageErrors.invalidKey(
        "The object path has an empty segment ('//' or a trailing '/')",
      );
    }
    if (segment === "." || segment === "..") {
      throw storageErrors.invalidKey("The object path must not contain '.' or '..' segments");
    }
    if (utf8.encode(segment).length > MAX_SEGMENT_BYTES) {
      throw storageErrors.invalidKey(`A path segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
  }
  return name;
}
