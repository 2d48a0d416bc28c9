// second file
stack('same', {});
component('b', 'm', {});
