stack('same', {});
component('a', 'm', {});
