// What every Storage route needs: the project's keys (keyring.ts), the object index (rows) and the blob store
// (bytes), and the log for unexpected failures. Built once by the gateway, passed explicitly.
import type { ProjectKeys } from "../keyring.ts";
import type { BlobStore } from "./blobs.ts";
import type { ObjectIndex } from "./types.ts";

export interface StorageContext {
  keys: ProjectKeys;
  index: ObjectIndex;
  blobs: BlobStore;
  log: (line: string) => void;
}
