// Exercises stack(), metadata(), backend() after component(), component() and append().
const s = stack('basic', { opts: { org: 'acme', count: 3 }, region: 'eu-west-1' });

const vpc = component('vpc', 'modules/vpc', {
  cidr: '10.0.0.0/16',
  name: `${s.name}-vpc`,
  zones: 3,
  ratio: 0.5,
  enabled: true,
  nothing: null,
  skipped: undefined,
});

const db = component('db', 'modules/db', {
  inputs: { vpc_id: vpc.id, vpc_name: vpc.name, label: `db in ${vpc.id}` },
  providers: { aws: { region: 'eu-west-1' } },
  ignored: 'because inputs is an object',
});

backend('s3', { bucket: 'state', key: '{{ .stack }}/{{ .component }}.tfstate' });
append('providers', ['data "aws_caller_identity" "me" {}']);
metadata({ description: 'basic stack', owner: 'platform', tags: ['a', 'b'] });
print('db is', db.label);
