// The page's top level: which client (dev token, from the form or the URL hash, or Supabase
// Auth), and sign in / out. Once signed in, <Gate> decides between the admin page and "not
// authorized".

import type { SupabaseClient } from "@supabase/supabase-js";
import { useCallback, useEffect, useRef, useState } from "react";
import type { PageConfig } from "./page_config.ts";
import { Gate } from "./Gate.tsx";
import { SignIn } from "./SignIn.tsx";
import { authClient, tokenClient } from "./supabase.ts";
import { clearToken, emailOfToken, saveToken, takeTokenFromHash } from "./token_store.ts";

interface Session {
  supabase: SupabaseClient;
  mode: "token" | "auth";
  /** Shown as "Signed in as"; null when the token names none. */
  email: string | null;
}

const fromToken = (config: PageConfig, token: string): Session => ({
  supabase: tokenClient(config, token),
  mode: "token",
  email: emailOfToken(token),
});

export function App({ config }: { config: PageConfig }) {
  // One Auth client for the page's life (two would fight over the stored session).
  const authRef = useRef<SupabaseClient | null>(null);
  const auth = useCallback(() => (authRef.current ??= authClient(config)), [
    config,
  ]);
  const [session, setSession] = useState<Session | null>(() => {
    const token = takeTokenFromHash();
    return token ? fromToken(config, token) : null;
  });
  const [checked, setChecked] = useState(session !== null);
  const [message, setMessage] = useState<string | null>(null);

  // A #token= put in the address bar of the open page (a link followed, a paste) signs in too;
  // takeTokenFromHash removes it from the address bar once read.
  useEffect(() => {
    const onHash = () => {
      if (!new URLSearchParams(globalThis.location.hash.slice(1)).has("token")) return;
      const token = takeTokenFromHash();
      if (!token) return;
      setMessage(null);
      setChecked(true);
      setSession(fromToken(config, token));
    };
    globalThis.addEventListener("hashchange", onHash);
    return () => globalThis.removeEventListener("hashchange", onHash);
  }, [config]);

  // A Supabase Auth session kept in this tab's sessionStorage survives a reload.
  useEffect(() => {
    if (checked) return;
    let live = true;
    auth().auth.getSession().then(({ data }) => {
      if (live && data.session) {
        setSession({ supabase: auth(), mode: "auth", email: data.session.user.email ?? null });
      }
    }).finally(() => live && setChecked(true));
    return () => {
      live = false;
    };
  }, [auth, checked]);

  const signOut = useCallback((reason?: string) => {
    clearToken();
    if (session?.mode === "auth") void session.supabase.auth.signOut();
    setSession(null);
    setMessage(reason ?? null);
  }, [session]);

  if (!checked) return <main className="panel">Checking your session…</main>;
  if (!session) {
    return (
      <SignIn
        devSignIn={config.devSignIn}
        message={message}
        onToken={(token) => {
          saveToken(token);
          setMessage(null);
          setSession(fromToken(config, token));
        }}
        onPassword={async (email, password) => {
          const { error } = await auth().auth.signInWithPassword({
            email,
            password,
          });
          if (error) return `Sign-in failed: ${error.message}`;
          setMessage(null);
          setSession({ supabase: auth(), mode: "auth", email });
          return null;
        }}
      />
    );
  }
  return (
    <Gate
      key={session.mode}
      supabase={session.supabase}
      email={session.email}
      onSignOut={signOut}
    />
  );
}
