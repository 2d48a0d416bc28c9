const helper = require('./lib/helper');
stack('te', {});
helper.explode({});
