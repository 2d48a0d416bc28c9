// a component before any stack
const x = 1;
  component('vpc', 'modules/vpc', {});
stack('late', {});
