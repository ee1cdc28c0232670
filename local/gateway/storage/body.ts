// Reads a JSON request body for the Storage routes; a missing or non-JSON body is a 400.
import { storageErrors } from "./errors.ts";

export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw storageErrors.invalidRequest("The request body is not valid JSON");
  }
}
