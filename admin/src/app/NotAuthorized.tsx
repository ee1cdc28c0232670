// What a signed-in user who is not an audio-queue admin sees: a clear panel, never a broken page.

export function NotAuthorized(
  { userId, onSignOut }: { userId: string; onSignOut(): void },
) {
  return (
    <main className="panel" data-testid="not-authorized" role="alert">
      <h1>Not authorized: your account is not an audio-queue admin</h1>
      <p>
        Signed in as <code>{userId}</code>. Admins are users whose <code>app_metadata.role</code> is
        {" "}
        <code>super_admin</code>; ask a project owner to set it, then sign in again.
      </p>
      <button type="button" onClick={onSignOut}>Sign out</button>
    </main>
  );
}
