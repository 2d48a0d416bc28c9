const b = require('./lib/broken');
stack('s', {});
