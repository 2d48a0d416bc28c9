// strata extensions in component config: depends_on and mock_outputs (not passed as inputs).
stack('deps', {});
const vpc = component('vpc', 'modules/vpc', { cidr: '10.0.0.0/16', tags: null });
component('app', 'modules/app', {
  depends_on: [vpc, 'other/db'],
  mock_outputs: { url: 'http://mock', port: 8080 },
  cidr: vpc.cidr,
  tags: vpc.tags,
  spread: JSON.stringify({ ...vpc }),
});
