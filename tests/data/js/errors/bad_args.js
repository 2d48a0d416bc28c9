stack('args', {});
component(42, 'm', {});
