// A small multipart/form-data reader for uploads. storage-js sends the file under the field
// name "" (empty), which Deno's Request.formData() drops, so the gateway reads the parts itself:
// binary-safe, from a body already capped in size.
import { storageErrors } from "./errors.ts";

export interface Part {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Uint8Array;
}

// storage-js sends two to four parts; a cap keeps a hostile body from looping for long.
const MAX_PARTS = 50;

const ascii = new TextEncoder();
const CRLF = ascii.encode("\r\n");
const HEADER_END = ascii.encode("\r\n\r\n");

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  let i = haystack.indexOf(first, from);
  while (i !== -1 && i + needle.length <= haystack.length) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i = haystack.indexOf(first, i + 1);
  }
  return -1;
}

/** The boundary parameter of a multipart/form-data content type. */
export function boundaryOf(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw storageErrors.invalidRequest("multipart/form-data without a boundary");
  return boundary;
}

function headerParam(header: string, param: string): string | null {
  const match = new RegExp(`;\\s*${param}="([^"]*)"`, "i").exec(header);
  return match ? match[1] : null;
}

export function parseMultipart(body: Uint8Array, boundary: string): Part[] {
  const malformed = () => storageErrors.invalidRequest("The multipart body could not be parsed");
  const delimiter = ascii.encode(`--${boundary}`);
  const nextDelimiter = ascii.encode(`\r\n--${boundary}`);
  const parts: Part[] = [];
  let pos = indexOf(body, delimiter, 0);
  if (pos === -1) throw malformed();
  pos += delimiter.length;
  for (let n = 0; n < MAX_PARTS; n++) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts; // "--": closing delimiter
    if (body[pos] !== CRLF[0] || body[pos + 1] !== CRLF[1]) throw malformed();
    const headersStart = pos + 2;
    const headersEnd = indexOf(body, HEADER_END, headersStart);
    if (headersEnd === -1) throw malformed();
    const headers = new TextDecoder().decode(body.subarray(headersStart, headersEnd)).split("\r\n");
    const dataStart = headersEnd + HEADER_END.length;
    const dataEnd = indexOf(body, nextDelimiter, dataStart);
    if (dataEnd === -1) throw malformed();
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? "";
    const type = headers.find((h) => /^content-type:/i.test(h));
    parts.push({
      name: headerParam(disposition, "name") ?? "",
      filename: headerParam(disposition, "filename"),
      contentType: type ? type.slice(type.indexOf(":") + 1).trim() : null,
      data: body.subarray(dataStart, dataEnd),
    });
    pos = dataEnd + nextDelimiter.length;
  }
  throw storageErrors.invalidRequest(`The multipart body has more than ${MAX_PARTS} parts`);
}

/** Reads a whole body, refusing (413) more than maxBytes. */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  limitForMessage: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body) {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw storageErrors.entityTooLarge(limitForMessage);
      chunks.push(chunk);
    }
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
