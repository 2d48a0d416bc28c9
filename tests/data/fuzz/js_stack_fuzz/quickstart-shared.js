// The shared stack: one network that the environments build on.
stack('shared', { region: 'eu-west-1' });

backend('local', { path: 'terraform.tfstate' });

component('network', 'modules/network', {
  inputs: { name: 'shared', cidr: '10.0.0.0/16' },
  // What plan uses for this component's outputs before it has ever been applied.
  mock_outputs: { vpc_id: 'vpc-not-created-yet', cidr: '10.0.0.0/16' },
});
