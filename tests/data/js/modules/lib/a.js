exports.early = 'a-early';
const b = require('./b.js');
exports.sawB = b.name;
exports.bSawPartialA = b.sawA;
