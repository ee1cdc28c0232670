// The sign-in panel: Supabase Auth email + password, and on the local stack a field for the dev
// admin token (also accepted from the URL hash #token=<jwt>).

import { type FormEvent, useState } from "react";
import { looksLikeJwt } from "./token_store.ts";

interface SignInProps {
  devSignIn: boolean;
  message: string | null;
  onToken(token: string): void;
  /** Resolves to an error message, or null when signed in. */
  onPassword(email: string, password: string): Promise<string | null>;
}

export function SignIn(
  { devSignIn, message, onToken, onPassword }: SignInProps,
) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submitPassword(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setProblem(await onPassword(email, password));
    setBusy(false);
  }

  return (
    <main className="panel signin">
      <h1>Audio queue — sign in</h1>
      {message && <p className="notice" role="status">{message}</p>}
      {problem && <p className="problem" role="alert">{problem}</p>}
      <form onSubmit={submitPassword}>
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <button
          type="submit"
          data-testid="signin-password-submit"
          disabled={busy}
        >
          Sign in
        </button>
      </form>
      {devSignIn && <DevTokenForm onToken={onToken} onProblem={setProblem} />}
    </main>
  );
}

/** The local stack's shortcut: paste the dev admin token (checked to look like a JWT first). */
function DevTokenForm(
  { onToken, onProblem }: { onToken(token: string): void; onProblem(problem: string): void },
) {
  const [token, setToken] = useState("");

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!looksLikeJwt(token)) {
      onProblem(
        "The dev admin token is not a JWT: paste the ADMIN_JWT value from .local/stack.env.",
      );
      return;
    }
    onToken(token.trim());
  }

  return (
    <form onSubmit={submit} className="dev-token">
      <label>
        Use dev admin token (local stack only)
        <input
          data-testid="signin-token"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="eyJhbGciOi…"
          autoComplete="off"
          spellCheck={false}
        />
      </label>
      <button type="submit" data-testid="signin-submit">
        Use dev admin token
      </button>
    </form>
  );
}
