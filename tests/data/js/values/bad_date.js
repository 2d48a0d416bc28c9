stack('bad', {});
component('c', 'm', {
  inputs: { ok: 1, deep: { list: [1, { created: new Date(0) }] } },
});
