// A helper module (defines no stack): shared values for every stack file.
module.exports = {
  tags: { project: 'quickstart', owner: 'platform-team' },
};
