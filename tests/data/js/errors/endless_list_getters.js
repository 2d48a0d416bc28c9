// Two list items whose getters never return: strata reads them while converting the inputs.
stack('getters', {});
const zones = ['a', 'b'];
Object.defineProperty(zones, 0, { get() { for (;;) {} } });
Object.defineProperty(zones, 1, { get() { for (;;) {} } });
component('net', 'modules/net', { inputs: { zones } });
