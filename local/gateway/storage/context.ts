// What every Storage route needs: the JWT secret, the object index (rows) and the blob store
// (bytes), and the log for unexpected failures. Built once by the gateway, passed explicitly.
import type { BlobStore } from "./blobs.ts";
import type { ObjectIndex } from "./types.ts";

export interface StorageContext {
  jwtSecret: string;
  index: ObjectIndex;
  blobs: BlobStore;
  log: (line: string) => void;
}
