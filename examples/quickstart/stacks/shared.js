// The shared stack: one network that the environments build on.
stack('shared', { region: 'eu-west-1' });

backend('local', { path: 'terraform.tfstate' });

component('network', 'modules/network', {
  name: 'shared',
  cidr: '10.0.0.0/16',
});
