// An object that contains itself as a stack value (the JavaScript twin of YAML's `a: &a [*a]`).
stack('cycle', {});
const inputs = { name: 'x' };
inputs.self = inputs;
component('c', 'modules/m', { inputs });
