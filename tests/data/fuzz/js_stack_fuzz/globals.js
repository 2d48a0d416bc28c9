// env, envs (three forms), secrets, secret, secretsConfig, kubeconfig, console.
stack('globals', { region: env.REGION });
envs({ AWS_PROFILE: 'dev', RETRIES: 3 });
envs('TF_LOG', 'info');
secretsConfig({ defaultPath: 'secrets/dev.enc.yaml' });
const password = secrets('sops://secrets/db.enc.yaml#/db/password');
component('app', 'modules/app', {
  inputs: {
    profile: envs('AWS_PROFILE'),
    home: envs('HOME'),
    unset: env.NOT_SET,
    password,
    dsn: `postgres://app:${password}@db:5432/app`,
    token: secret('api.token'),
    plain: 'public',
  },
});
kubeconfig({ current: 0, clusters: [{ context: 'dev', host: 'https://k8s', cert: 'Y2VydA==' }] });
console.log('loaded', { components: 1 });
console.warn('careful');
console.error('bad', 42);
