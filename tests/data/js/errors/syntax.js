stack('syn', {});
component('a', 'm', {});
const x = = 3;
