// The dev environment: a database and an app in the shared network.
const { tags } = require('./lib/common');

stack('dev', { region: 'eu-west-1', env: 'dev' });

backend('local', { path: 'terraform.tfstate' });

const db = component('database', 'modules/database', {
  name: '{{ .stack }}-db',
  // A cross-stack reference: the network's output, read from its state.
  vpc_id: '{{ (state "shared" "network").vpc_id }}',
});

component('app', 'modules/app', {
  name: `${tags.project}-{{ .env }}`,
  vpc_id: '{{ (state "shared" "network").vpc_id }}',
  database_url: `postgres://${db.endpoint}/app`,
  replicas: 2,
});
