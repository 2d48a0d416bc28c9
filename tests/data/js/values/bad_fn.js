stack('bad', {});
component('c', 'm', {
  inputs: { ok: 1, deep: { list: [1, { hook: () => 1 }] } },
});
