// The page's top level: which client (dev token or Supabase Auth), and sign in / out. Once signed
// in, <Gate> decides between the admin page and "not authorized".

import type { SupabaseClient } from "@supabase/supabase-js";
import { useCallback, useEffect, useRef, useState } from "react";
import type { PageConfig } from "./page_config.ts";
import { Gate } from "./Gate.tsx";
import { SignIn } from "./SignIn.tsx";
import { authClient, tokenClient } from "./supabase.ts";
import { clearToken, saveToken, takeTokenFromHash } from "./token_store.ts";

interface Session {
  supabase: SupabaseClient;
  mode: "token" | "auth";
}

export function App({ config }: { config: PageConfig }) {
  // One Auth client for the page's life (two would fight over the stored session).
  const authRef = useRef<SupabaseClient | null>(null);
  const auth = useCallback(() => (authRef.current ??= authClient(config)), [
    config,
  ]);
  const [session, setSession] = useState<Session | null>(() => {
    const token = takeTokenFromHash();
    return token ? { supabase: tokenClient(config, token), mode: "token" } : null;
  });
  const [checked, setChecked] = useState(session !== null);
  const [message, setMessage] = useState<string | null>(null);

  // A Supabase Auth session kept in this tab's sessionStorage survives a reload.
  useEffect(() => {
    if (checked) return;
    let live = true;
    auth().auth.getSession().then(({ data }) => {
      if (live && data.session) setSession({ supabase: auth(), mode: "auth" });
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
          setSession({ supabase: tokenClient(config, token), mode: "token" });
        }}
        onPassword={async (email, password) => {
          const { error } = await auth().auth.signInWithPassword({
            email,
            password,
          });
          if (error) return `Sign-in failed: ${error.message}`;
          setMessage(null);
          setSession({ supabase: auth(), mode: "auth" });
          return null;
        }}
      />
    );
  }
  return <Gate key={session.mode} supabase={session.supabase} onSignOut={signOut} />;
}
