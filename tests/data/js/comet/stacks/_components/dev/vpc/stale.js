stack('ignored-copy', {}); component('x', 'y', {});
