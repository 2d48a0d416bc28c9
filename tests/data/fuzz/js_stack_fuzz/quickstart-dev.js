// The dev environment: a database and an app in the shared network.
const { tags } = require('./lib/common');

stack('dev', { region: 'eu-west-1', env: 'dev' });

backend('local', { path: 'terraform.tfstate' });

const db = component('database', 'modules/database', {
  inputs: {
    name: '{{ .stack }}-db',
    // A cross-stack reference: the network's output, read from its state.
    vpc_id: '{{ (state "shared" "network").vpc_id }}',
  },
  mock_outputs: { endpoint: 'db.not-created-yet:5432' },
});

component('app', 'modules/app', {
  inputs: {
    name: `${tags.project}-{{ .env }}`,
    vpc_id: '{{ (state "shared" "network").vpc_id }}',
    // A reference through the component object: renders {{ (state "dev" "database").endpoint }}.
    database_url: `postgres://${db.endpoint}/app`,
    replicas: 2,
  },
});
