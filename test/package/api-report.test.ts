// The package's public surface is a decision: it changes only with its API report (api/*.api.md),
// so that review sees every change to it. `npm run api:update` rewrites the reports.
import { apiReports } from '../../scripts/api-report';

test('the public surface of every entry point is the committed API report', () => {
  const differing = apiReports(false).filter((result) => result.changed || result.errors > 0);
  expect(differing).toEqual([]);
}, 120_000);
