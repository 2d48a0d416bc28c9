// A stack file as a Comet user writes it (after the example in conformance README §6.4).
const opts = { org: 'moonwalker', common_name: 'comet' };
const stage = stack('dev', { opts });

backend('gcs', {
  bucket: 'mw-tf-state',
  prefix: `${opts.org}-${opts.common_name}/stacks/{{ .stack }}/{{ .component }}`,
});

const p1 = component('project', 'test/modules/project', { name: `${opts.common_name}-${stage.name}-p1` });
const p2 = component('project2', 'test/modules/project', { inputs: { name: 'comet-dev-p2' } });

const vpc = component('vpc', 'test/modules/vpc', {
  name: `${p1.name}-vpc`,
  id: `${p2.id}-vpc`,
});

component('metsrv', 'test/modules/metsrv', {
  providers: {
    kubernetes: {
      host: `https://${vpc.endpoint}`,
      token: 'data.google_client_config.default.access_token',
    },
    helm: {
      kubernetes: {
        host: `https://${vpc.endpoint}`,
        token: 'data.google_client_config.default.access_token',
      },
    },
  },
});

append('providers', [`data "google_client_config" "default" {}`]);
