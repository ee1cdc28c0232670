// Example of /admin/config.js, which the host serves next to the built page (the local gateway
// writes its own). Only public values: the project URL and the anon key. devSignIn shows the
// "Use dev admin token" sign-in; it defaults to true only when supabaseUrl is 127.0.0.1/localhost.
globalThis.AQ_CONFIG = {
  supabaseUrl: "https://<project-ref>.supabase.co",
  anonKey: "<anon key>",
  devSignIn: false,
};
