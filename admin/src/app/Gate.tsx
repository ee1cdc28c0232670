// Asks admin-api/me who is signed in: an admin gets the page, anyone else the "not authorized"
// panel, a 401 goes back to sign-in. Provides the session actions and the audio-queue hooks.

import type { SupabaseClient } from "@supabase/supabase-js";
import { useEffect, useMemo, useState } from "react";
import { AudioQueueProvider } from "../hooks/index.ts";
import { createAudioQueueClient, type Me } from "../lib/index.ts";
import { AdminPage } from "./AdminPage.tsx";
import { NotAuthorized } from "./NotAuthorized.tsx";
import {
  describeError,
  isUnauthorized,
  SESSION_EXPIRED,
  type SessionActions,
  SessionContext,
} from "./session.tsx";

export function Gate(
  { supabase, email, onSignOut }: {
    supabase: SupabaseClient;
    email: string | null;
    onSignOut(reason?: string): void;
  },
) {
  const client = useMemo(() => createAudioQueueClient(supabase), [supabase]);
  const [me, setMe] = useState<Me | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setProblem(null);
    client.me().then((m) => live && setMe(m)).catch((err) => {
      if (!live) return;
      if (isUnauthorized(err)) onSignOut(SESSION_EXPIRED);
      else setProblem(describeError(err));
    });
    return () => {
      live = false;
    };
  }, [client, onSignOut, attempt]);

  // Could not ask who is signed in (no connection): ask again when the browser is back online.
  const unreachable = me === null && problem !== null;
  useEffect(() => {
    if (!unreachable) return;
    const again = () => setAttempt((n) => n + 1);
    globalThis.addEventListener("online", again);
    return () => globalThis.removeEventListener("online", again);
  }, [unreachable]);

  const actions = useMemo<SessionActions>(() => ({
    signOut: onSignOut,
    report: (
      err,
    ) => (isUnauthorized(err) ? onSignOut(SESSION_EXPIRED) : setProblem(describeError(err))),
  }), [onSignOut]);

  if (!me) {
    return (
      <Checking
        problem={problem}
        onRetry={() => setAttempt((n) => n + 1)}
        onSignOut={() => onSignOut()}
      />
    );
  }
  if (!me.isAdmin) {
    return (
      <NotAuthorized
        userId={me.userId}
        onSignOut={() => onSignOut()}
      />
    );
  }
  return (
    <SessionContext.Provider value={actions}>
      <AudioQueueProvider supabase={supabase} client={client}>
        {problem && (
          <p className="problem banner" role="alert">
            {problem}{" "}
            <button type="button" onClick={() => setProblem(null)}>
              Dismiss
            </button>
          </p>
        )}
        <AdminPage who={email ?? me.userId} userId={me.userId} />
      </AudioQueueProvider>
    </SessionContext.Provider>
  );
}

/** Before admin-api/me has answered: a wait, or why it failed with Try again and Sign out. */
function Checking(
  { problem, onRetry, onSignOut }: {
    problem: string | null;
    onRetry(): void;
    onSignOut(): void;
  },
) {
  return (
    <main className="panel">
      {problem
        ? (
          <>
            <p className="problem" role="alert">
              Could not reach the audio-queue API: {problem}
            </p>
            <button type="button" onClick={onRetry}>
              Try again
            </button>
            <button type="button" onClick={onSignOut}>
              Sign out
            </button>
          </>
        )
        : "Checking your account…"}
    </main>
  );
}
