// The warning above the page when audio.health() found problems (a watchdog whose kicks are
// refused, a batch that stopped moving, work waiting with no worker); nothing when all is well.

export function HealthWarning({ problems }: { problems: string[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="problem health-warning" role="alert" data-testid="health-warning">
      <strong>Audio generation needs attention:</strong>
      <ul>
        {problems.map((p) => <li key={p}>{p}</li>)}
      </ul>
    </div>
  );
}
