// The connection-health banner: shown only while something is wrong, with one line per problem.
import type { HealthProblem } from '../state/health';

export function HealthBanner({ problems }: { problems: readonly HealthProblem[] }) {
  if (problems.length === 0) return null;
  const severity = problems.some((p) => p.severity === 'error') ? 'error' : 'warning';
  return (
    // role="alert": a problem that appears is read out at once; the banner is not focusable noise.
    <div className={`banner banner--${severity}`} role="alert" data-testid="health-banner">
      <ul>
        {problems.map((problem) => (
          <li key={problem.key} data-problem={problem.key}>
            {problem.text}
          </li>
        ))}
      </ul>
    </div>
  );
}
