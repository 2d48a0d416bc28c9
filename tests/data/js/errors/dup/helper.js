// a helper: declares no stack
module.exports = { region: 'eu' };
