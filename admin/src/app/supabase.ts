// The page's supabase-js client, in one of two modes: a pasted dev token (accessToken callback;
// Realtime and functions use it) or Supabase Auth with email + password, its session kept in
// sessionStorage only.

import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { PageConfig } from "./page_config.ts";

export function tokenClient(config: PageConfig, token: string): SupabaseClient {
  return createClient(config.supabaseUrl, config.anonKey, {
    accessToken: () => Promise.resolve(token),
  });
}

export function authClient(config: PageConfig): SupabaseClient {
  return createClient(config.supabaseUrl, config.anonKey, {
    auth: {
      storage: globalThis.sessionStorage,
      persistSession: true,
      autoRefreshToken: true,
      detectSessionInUrl: false,
    },
  });
}
