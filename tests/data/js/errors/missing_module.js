stack('m', {});
const lib = require('./nope');
