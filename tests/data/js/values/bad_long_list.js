stack('s', {});
const zones = [];
zones.length = 200000000;  // holes only: no code runs that the watchdog could stop
component('c', 'modules/c', { inputs: { zones } });
