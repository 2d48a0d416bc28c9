stack('throws', {});
function check(name) {
  if (name !== 'ok') {
    throw new Error(`bad name ${name}`);
  }
}
check('nope');
