module.exports.explode = function explode(config) {
  return config.missing.field;
};
