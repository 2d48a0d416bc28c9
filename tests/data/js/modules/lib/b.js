const a = require('./a');
module.exports = { name: 'b', sawA: `${a.early}/${a.sawB}` };
