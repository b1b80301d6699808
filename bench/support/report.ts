// Every benchmark ends with one line of JSON: its figures next to the baselines measured in the
// same run, so that a run can be read by a script (or compared with a later one) without parsing
// the tables printed above it.
export const printFigures = (bench: string, figures: Record<string, unknown>): void => {
  console.log(JSON.stringify({ bench, ...figures }));
};

/** The figures of one autocannon run that the HTTP benchmarks compare. */
export const httpFigures = (result: { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number }) => ({
  requestsPerSecond: Math.round(result.requests.average),
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  non2xx: result.non2xx,
});
