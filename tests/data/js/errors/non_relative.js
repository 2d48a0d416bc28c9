stack('m', {});
const _ = require('lodash');
