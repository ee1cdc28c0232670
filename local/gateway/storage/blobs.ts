// Object bytes on disk at <storageRoot>/<bucket>/<object name>. Uploads stream into a temp file
// under <storageRoot>/.tmp (same file system) and are renamed into place, so a reader never sees
// a half-written object.
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { storageErrors } from "./errors.ts";

/** A received upload waiting in the temp folder. */
export interface ReceivedBlob {
  tmpPath: string;
  size: number;
  /** Quoted MD5 of the bytes, the ETag S3 (and so Supabase Storage) gives single-part objects. */
  eTag: string;
}

/** An object opened for reading. */
export interface OpenBlob {
  file: Deno.FsFile;
  size: number;
  mtime: Date | null;
}

export interface BlobStore {
  receive(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<ReceivedBlob>;
  place(received: ReceivedBlob, bucketId: string, name: string): Promise<void>;
  discard(received: ReceivedBlob): Promise<void>;
  open(bucketId: string, name: string): Promise<OpenBlob | null>;
  remove(bucketId: string, name: string): Promise<void>;
  ensureBucketDir(bucketId: string): Promise<void>;
}

/** Temp folder name under the storage root; dot-folders are never buckets (see paths.ts). */
export const TMP_DIR = ".tmp";

export function blobStore(storageRoot: string): BlobStore {
  const tmpDir = join(storageRoot, TMP_DIR);
  const pathOf = (bucketId: string, name: string) =>
    join(storageRoot, bucketId, ...name.split("/"));

  return {
    async receive(body, maxBytes) {
      await Deno.mkdir(tmpDir, { recursive: true });
      const tmpPath = join(tmpDir, crypto.randomUUID());
      const file = await Deno.open(tmpPath, { write: true, createNew: true });
      const hash = createHash("md5");
      let size = 0;
      try {
        if (body) {
          for await (const chunk of body) {
            size += chunk.byteLength;
            if (size > maxBytes) throw storageErrors.entityTooLarge(maxBytes);
            hash.update(chunk);
            let written = 0;
            while (written < chunk.byteLength) {
              written += await file.write(chunk.subarray(written));
            }
          }
        }
      } catch (err) {
        file.close();
        await removeQuietly(tmpPath);
        throw err;
      }
      file.close();
      return { tmpPath, size, eTag: `"${hash.digest("hex")}"` };
    },

    async place(received, bucketId, name) {
      const target = pathOf(bucketId, name);
      try {
        await Deno.mkdir(dirname(target), { recursive: true });
        await Deno.rename(received.tmpPath, target);
      } catch (err) {
        await removeQuietly(received.tmpPath);
        if (
          err instanceof Deno.errors.AlreadyExists || err instanceof Deno.errors.IsADirectory ||
          err instanceof Deno.errors.NotADirectory
        ) {
          throw storageErrors.invalidKey(
            "The object path collides with an existing object or folder of the same name " +
              "(the local gateway stores objects as files, so 'a' and 'a/b' cannot both exist)",
          );
        }
        throw err;
      }
    },

    async discard(received) {
      await removeQuietly(received.tmpPath);
    },

    async open(bucketId, name) {
      const path = pathOf(bucketId, name);
      let file: Deno.FsFile;
      try {
        file = await Deno.open(path, { read: true });
      } catch (err) {
        if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
          return null;
        }
        throw err;
      }
      const info = await file.stat();
      if (!info.isFile) {
        file.close();
        return null;
      }
      return { file, size: info.size, mtime: info.mtime };
    },

    async remove(bucketId, name) {
      const path = pathOf(bucketId, name);
      const info = await Deno.lstat(path).catch(() => null);
      if (!info?.isFile) return; // nothing stored (or a folder, which is not this object)
      await removeQuietly(path);
      // Drop folders the removal emptied, up to (not including) the bucket folder.
      const segments = name.split("/").slice(0, -1);
      while (segments.length > 0) {
        try {
          await Deno.remove(join(storageRoot, bucketId, ...segments));
        } catch {
          break; // not empty (or already gone): stop climbing
        }
        segments.pop();
      }
    },

    async ensureBucketDir(bucketId) {
      await Deno.mkdir(join(storageRoot, bucketId), { recursive: true });
    },
  };
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
