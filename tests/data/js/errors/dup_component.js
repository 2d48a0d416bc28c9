stack('d', {});
component('vpc', 'm', {});
component('vpc', 'm2', {});
