// Config keys whose getters never return: strata reads providers, then depends_on.
stack('getters', {});
const config = {};
Object.defineProperty(config, 'providers', { get() { for (;;) {} } });
Object.defineProperty(config, 'depends_on', { get() { for (;;) {} } });
component('net', 'modules/net', config);
