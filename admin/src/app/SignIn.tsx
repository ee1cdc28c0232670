// The sign-in panel. On the local stack (which serves no Supabase Auth sign-in) the dev admin token
// form comes first and the email + password form is folded away; elsewhere only email + password.
// A token in the URL hash (#token=<jwt>) is taken by App, on load and on hash change.

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

  const passwordForm = (
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
  );

  return (
    <main className="panel signin">
      <h1>Audio queue — sign in</h1>
      {message && <p className="notice" role="status">{message}</p>}
      {problem && <p className="problem" role="alert">{problem}</p>}
      {devSignIn && <DevTokenForm onToken={onToken} onProblem={setProblem} />}
      {devSignIn
        ? (
          <details className="password-signin">
            <summary>Email and password (Supabase Auth, not served by the local stack)</summary>
            {passwordForm}
          </details>
        )
        : passwordForm}
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
