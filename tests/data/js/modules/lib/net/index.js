module.exports.cidr = (prefix) => `${prefix}.0.0/16`;
