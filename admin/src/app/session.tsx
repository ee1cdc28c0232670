// The signed-in session as the page's components see it: sign out (with a reason shown on the
// sign-in form) and report an error, which turns a 401 into "sign in again" and anything else
// into a readable banner.

import { createContext, useContext } from "react";
import { AudioQueueError } from "../lib/index.ts";
import { plainError } from "./plain_error.ts";

export interface SessionActions {
  signOut(reason?: string): void;
  /** Shows err to the admin; a 401 signs out instead. */
  report(err: unknown): void;
}

export const SessionContext = createContext<SessionActions | null>(null);

export function useSession(): SessionActions {
  const s = useContext(SessionContext);
  if (!s) {
    throw new Error(
      "useSession: no SessionContext above this component (render inside <Gate>)",
    );
  }
  return s;
}

export const SESSION_EXPIRED =
  "Your session expired or the token is not valid any more: sign in again.";

/** One line for people (plain_error.ts): the server's message and the bad fields, or what went
 * wrong in plain words; never a request path. */
export function describeError(err: unknown): string {
  return plainError(err);
}

export function isUnauthorized(err: unknown): boolean {
  return err instanceof AudioQueueError && err.status === 401;
}
