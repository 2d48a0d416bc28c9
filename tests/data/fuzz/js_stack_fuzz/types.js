stack('types', {});
component('t', 'm', {
  int: 42, negative: -7, big: 9007199254740991, float: 1.25, exp: 1e21, tiny: 5e-7,
  list: [1, 'two', null, undefined, [true]],
  nested: { a: { b: { c: 'deep' } }, gone: undefined },
});
