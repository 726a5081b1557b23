/**
 * Types for the four prom-client files the controller imports by path (prom-client has no
 * "exports" map and ships types for its index only). Not the index: it also requires the
 * Pushgateway client (http, https, zlib, and through https tls and crypto) and the cluster
 * aggregator, +8 MB of RSS in a process that pushes nothing and runs no cluster workers.
 * Each file's `module.exports` is the class (or function) the index re-exports.
 */
declare module 'prom-client/lib/registry.js' {
  export { Registry as default } from 'prom-client';
}
declare module 'prom-client/lib/counter.js' {
  export { Counter as default } from 'prom-client';
}
declare module 'prom-client/lib/gauge.js' {
  export { Gauge as default } from 'prom-client';
}
declare module 'prom-client/lib/histogram.js' {
  export { Histogram as default } from 'prom-client';
}
declare module 'prom-client/lib/defaultMetrics.js' {
  export { collectDefaultMetrics as default } from 'prom-client';
}
