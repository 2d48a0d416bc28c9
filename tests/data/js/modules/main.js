// require() chains: a cycle (a <-> b), index.js resolution, JSON, __filename/__dirname.
const a = require('./lib/a');
const net = require('./lib/net');
const sizes = require('./lib/sizes.json');
stack('modules', {});
component('net', 'modules/net', {
  cidr: net.cidr('10.1'),
  a_saw_b: a.sawB,
  b_saw_partial_a: a.bSawPartialA,
  small: sizes.small,
  file: __filename.endsWith('/modules/main.js'),
  dir: __dirname.endsWith('/modules'),
});
